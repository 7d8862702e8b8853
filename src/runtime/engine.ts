// What a turn runs on: the bot, the store, the effects, the log, and the work still in flight.
// src/create-engine.ts makes one from the settings; runTurn (run-turn.ts) uses it.
import type { Bot } from '../bot/bot.js';
import type { Store } from '../stores/store.js';
import type { EffectRunner } from './drive.js';
import type { InFlight } from './in-flight.js';
import type { Log } from './log.js';
import type { TurnOutput } from './turn.js';

export interface Engine {
  bot: Bot;
  store: Store;
  effects: EffectRunner;
  log: Log;
  /** Turns and late replies still running, for shutdown. */
  inFlight: InFlight;
  clock?: () => number;
  /**
   * Sends `output` to the user of `conversation` (a store key, runTurn's conversationKey)
   * without a message from them, through the channel that keeps their address; false when no
   * channel can (a phone call, a conversation never seen). Set by the server, which knows the
   * channels; the runtime never does.
   */
  unprompted?: (conversation: string, output: TurnOutput) => Promise<boolean>;
}
