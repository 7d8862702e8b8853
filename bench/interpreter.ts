// Turns per second of Parley's interpreter on the benchmark shape: in-process, memory store,
// every turn through runTurn (lock, read, drive, write) exactly as a channel runs it.
import { loadBotText } from '../src/bot/load.js';
import type { Bot } from '../src/bot/bot.js';
import { createEngine } from '../src/create-engine.js';
import { runTurn } from '../src/runtime/run-turn.js';
import { createMemoryStore } from '../src/stores/memory-store.js';
import { shapeBotText, shapeLastReplies, shapeMessages, turnsPerConversation } from './shape.js';
import { collectGarbage, median } from './stats.js';

export interface RateOptions {
  /** Conversations per round; each is `turnsPerConversation` turns. */
  conversations: number;
  rounds: number;
  warmupRounds: number;
}

export interface RateResult {
  turnsPerRound: number;
  /** Turns per second of each measured round. */
  rates: number[];
  median: number;
}

export function shapeBot(): Bot {
  const { bot, problems } = loadBotText(shapeBotText, 'bench-shape.json');
  if (bot === undefined) throw new Error(`the benchmark bot does not load: ${problems.map((p) => p.message).join('; ')}`);
  return bot;
}

export async function measureParleyTurns(options: RateOptions): Promise<RateResult> {
  const bot = shapeBot();
  const rates: number[] = [];
  for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
    // A fresh store per round: every round starts from the same (empty) state.
    const engine = createEngine({ bot, store: createMemoryStore() });
    collectGarbage();
    const started = performance.now();
    for (let c = 0; c < options.conversations; c += 1) {
      const user = { id: `user-${c}`, channel: 'web' as const, via: 'botframework' as const };
      const conversation = `web:user-${c}`;
      for (let t = 0; t < shapeMessages.length; t += 1) {
        const answer = await runTurn(engine, { user, conversation, input: { text: shapeMessages[t]! } });
        const last = answer.prompt?.text ?? answer.replies.at(-1)?.text;
        if (last !== shapeLastReplies[t]) throw new Error(`parley turn ${t} answered ${JSON.stringify(last)}, not ${JSON.stringify(shapeLastReplies[t])}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await engine.store.close();
    if (round >= options.warmupRounds) rates.push((options.conversations * turnsPerConversation) / seconds);
  }
  return { turnsPerRound: options.conversations * turnsPerConversation, rates, median: median(rates) };
}
