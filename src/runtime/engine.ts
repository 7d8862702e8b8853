// What a turn runs on: the bot, the store, the effects, the log, and the work still in flight.
// src/create-engine.ts makes one from the settings; runTurn (run-turn.ts) uses it.
import type { Bot } from '../bot/bot.js';
import type { Store } from '../stores/store.js';
import type { EffectRunner } from './drive.js';
import type { InFlight } from './in-flight.js';
import type { Log } from './log.js';
import type { Metrics } from './metrics.js';

export interface Engine {
  bot: Bot;
  store: Store;
  effects: EffectRunner;
  log: Log;
  metrics: Metrics;
  /** Turns and late replies still running, for shutdown. */
  inFlight: InFlight;
  clock?: () => number;
}
