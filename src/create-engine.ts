// The composition root: a bot, a store and the settings it needs make an Engine that every
// entry point (console, server, tests, benchmarks) runs turns on.
import type { Bot } from './bot/bot.js';
import { createBackOff } from './effects/back-off.js';
import { createEffectRunner } from './effects/effect-runner.js';
import { networkOutbound, type Outbound } from './http/outbound.js';
import type { EffectDeps } from './effects/effect-deps.js';
import { createLinkCallbacks } from './effects/link-callback.js';
import { createOAuthProviders } from './effects/oauth-provider.js';
import { PendingLinks } from './effects/pending-links.js';
import type { Mailer } from './effects/mailer.js';
import type { SendUnprompted } from './runtime/resume.js';
import type { Engine } from './runtime/engine.js';
import { InFlight } from './runtime/in-flight.js';
import type { StepObserver } from './runtime/step-observer.js';
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
  /** Told of every step the interpreter runs (`parley test`'s coverage); production passes none. */
  observe?: StepObserver;
  /** PUBLIC_URL, read when a link is made (a test server learns its port after the engine exists). */
  publicUrl?: () => string;
  /** Mails email sign-in links: SMTP_URL's (smtpMailer), the console's printer, a test's. */
  mailer?: Mailer;
}

export function createEngine(options: EngineOptions): Engine {
  const secrets = options.secrets ?? {};
  const log = options.log ?? silentLog;
  const metrics = options.metrics ?? silentMetrics;
  const storeCall = metrics.storeCall?.bind(metrics);
  const store = storeCall === undefined ? options.store : instrumentedStore(options.store, storeCall);
  const sealer = options.cipher ?? createEphemeralCipher();
  const outbound = options.outbound ?? networkOutbound({ allowPrivate: options.allowPrivateNetworks ?? false });
  const senders = new Map<string, SendUnprompted>();
  const publicUrl = options.publicUrl ?? (() => 'http://localhost:3000');
  const deps: EffectDeps = {
    store,
    backOff: createBackOff(store.keyed, (event) => metrics.backOff(event)),
    sealer,
    secret: (name) => (Object.hasOwn(secrets, name) ? secrets[name] : undefined),
    outbound,
    log,
    metrics,
    links: new PendingLinks(store.keyed, sealer),
    // http:// providers only where private networks are allowed (development, tests).
    oauth: createOAuthProviders(outbound, { insecure: options.allowPrivateNetworks ?? false }),
    publicUrl,
    senders,
    ...(options.mailer && { mailer: options.mailer }),
  };
  const clock = options.clock ?? Date.now;
  const current = options.current;
  const engine: Engine = {
    bot: options.bot,
    store,
    effects: createEffectRunner(deps),
    log,
    metrics,
    inFlight: new InFlight(),
    senders,
    sealer,
    links: createLinkCallbacks(deps, current ?? (() => options.bot), clock),
  };
  if (current !== undefined) Object.defineProperty(engine, 'bot', { get: current, enumerable: true });
  if (options.clock !== undefined) engine.clock = options.clock;
  if (options.observe !== undefined) engine.observe = options.observe;
  return engine;
}
