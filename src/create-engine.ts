// The composition root: a bot, a store and the settings it needs make an Engine that every
// entry point (console, server, tests, benchmarks) runs turns on.
import type { Bot } from './bot/bot.js';
import { createBackOff } from './effects/back-off.js';
import { createEffectRunner } from './effects/effect-runner.js';
import { networkOutbound, type Outbound } from './http/outbound.js';
import type { Engine } from './runtime/engine.js';
import { InFlight } from './runtime/in-flight.js';
import { silentLog, type Log } from './runtime/log.js';
import { silentMetrics, type Metrics } from './runtime/metrics.js';
import { createEphemeralCipher, type Cipher } from './stores/cipher.js';
import { instrumentedStore } from './stores/instrumented-store.js';
import type { Store } from './stores/store.js';

export interface EngineOptions {
  bot: Bot;
  /**
   * The bot as it is now, when it can be reloaded (BotRegistry): each turn runs on the version
   * current when it starts. Absent: `bot`, for good.
   */
  current?: () => Bot;
  store: Store;
  /** `{secret.NAME}`: the settings' BOT_SECRET_NAME values (Settings.botSecrets). */
  secrets?: Readonly<Record<string, string>>;
  /** ALLOW_PRIVATE_NETWORKS, or `--demo-services`: calls may reach loopback and private addresses. */
  allowPrivateNetworks?: boolean;
  /** Replaces the network for every outbound call (conversation tests' stand-ins, the console's call log). */
  outbound?: Outbound;
  /** TOKEN_ENCRYPTION_KEY's cipher, shared by every instance; else a per-process one. */
  cipher?: Cipher;
  log?: Log;
  metrics?: Metrics;
  clock?: () => number;
}

export function createEngine(options: EngineOptions): Engine {
  const secrets = options.secrets ?? {};
  const log = options.log ?? silentLog;
  const metrics = options.metrics ?? silentMetrics;
  const storeCall = metrics.storeCall?.bind(metrics);
  const store = storeCall === undefined ? options.store : instrumentedStore(options.store, storeCall);
  const effects = createEffectRunner({
    store,
    backOff: createBackOff(store.keyed, (event) => metrics.backOff(event)),
    sealer: options.cipher ?? createEphemeralCipher(),
    secret: (name) => (Object.hasOwn(secrets, name) ? secrets[name] : undefined),
    outbound: options.outbound ?? networkOutbound({ allowPrivate: options.allowPrivateNetworks ?? false }),
    log,
    metrics,
  });
  const engine: Engine = { bot: options.bot, store, effects, log, metrics, inFlight: new InFlight() };
  const current = options.current;
  if (current !== undefined) Object.defineProperty(engine, 'bot', { get: current, enumerable: true });
  if (options.clock !== undefined) engine.clock = options.clock;
  return engine;
}
