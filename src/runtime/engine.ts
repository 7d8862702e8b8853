// What a turn runs on: the bot, the store, the effects, the log, and the work still in flight.
// src/create-engine.ts makes one from the settings; runTurn (run-turn.ts) uses it.
import type { Bot } from '../bot/bot.js';
import type { Store } from '../stores/store.js';
import type { EffectRunner } from './drive.js';
import type { InFlight } from './in-flight.js';
import type { Log } from './log.js';
import type { Metrics } from './metrics.js';
import type { StepObserver } from './step-observer.js';
import type { Cipher } from '../stores/cipher.js';
import type { LinkCallbacks } from './link-callback.js';
import type { SendUnprompted } from './resume.js';

export interface Engine {
  bot: Bot;
  store: Store;
  effects: EffectRunner;
  log: Log;
  metrics: Metrics;
  /** Turns and late replies still running, for shutdown. */
  inFlight: InFlight;
  /**
   * How each kind of ReplyAddress is reached unprompted, registered by the server as it mounts
   * the channels (the runtime imports none). Empty in the console and in tests without a server.
   */
  senders: Map<string, SendUnprompted>;
  /** Seals what a turn keeps for retries when it holds a secret (a sign-in link). */
  sealer: Cipher;
  /** Where the browser's return from a sign-in page is finished (GET /auth/callback). */
  links: LinkCallbacks;
  clock?: () => number;
  /** Told of every step run: `parley test`'s coverage. */
  observe?: StepObserver;
}
