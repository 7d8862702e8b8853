// The composition root: a bot, a store and the environment make an Engine that every entry
// point (console, server, tests, benchmarks) runs turns on.
import type { Bot } from './bot/bot.js';
import { createBackOff } from './effects/back-off.js';
import { createEffectRunner } from './effects/effect-runner.js';
import type { Engine } from './runtime/conversation.js';
import { InFlight } from './runtime/in-flight.js';
import { silentLog, type Log } from './runtime/log.js';
import { silentMetrics, type Metrics } from './runtime/metrics.js';
import { createEphemeralCipher, type TokenCipher } from './stores/token-cipher.js';
import type { Store } from './stores/store.js';

export interface EngineOptions {
  bot: Bot;
  store: Store;
  /** Where `{secret.NAME}` (BOT_SECRET_NAME) and ALLOW_PRIVATE_NETWORKS are read. */
  env?: NodeJS.ProcessEnv;
  /** Overrides ALLOW_PRIVATE_NETWORKS: the operator asked for local services (`--demo-services`). */
  allowPrivateNetworks?: boolean;
  /** TOKEN_ENCRYPTION_KEY's cipher, shared by every instance; else a per-process one. */
  cipher?: TokenCipher;
  log?: Log;
  metrics?: Metrics;
  clock?: () => number;
}

export function createEngine(options: EngineOptions): Engine {
  const env = options.env ?? process.env;
  const log = options.log ?? silentLog;
  const effects = createEffectRunner({
    store: options.store,
    backOff: createBackOff(options.store.keyed),
    sealer: options.cipher ?? createEphemeralCipher(),
    secret: (name) => (/^[A-Za-z0-9_]+$/.test(name) ? env[`BOT_SECRET_${name}`] : undefined),
    allowPrivate: options.allowPrivateNetworks ?? isTrue(env.ALLOW_PRIVATE_NETWORKS),
    log,
    metrics: options.metrics ?? silentMetrics,
  });
  const engine: Engine = { bot: options.bot, store: options.store, effects, log, inFlight: new InFlight() };
  if (options.clock !== undefined) engine.clock = options.clock;
  return engine;
}

export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
