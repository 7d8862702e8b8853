// The driver: runs the interpreter and the effects it asks for, in turn, until the bot waits
// for the user or the conversation ends. This is where the pure core meets the world.
import { advance, runaway, type TurnContext, type TurnEvent } from './advance.js';
import { conversationLanguage } from './phrasebook.js';
import type { Effect, EffectResult } from './effect.js';
import type { Session } from './session.js';
import type { TurnOutput } from './turn.js';

/** What an effect may know of the turn that asked for it. */
export interface EffectTurn extends TurnContext {
  /** The conversation id: the key of `scope: "conversation"` tokens. */
  conversation: string;
  session: Session;
  /** Definitions whose token was acquired in this turn (a 401 then is not a stale cache). */
  acquired: Set<string>;
}

export interface EffectRunner {
  run(effect: Effect, turn: EffectTurn): Promise<EffectResult>;
}

export interface Driven {
  session: Session;
  output: TurnOutput;
  warnings: string[];
}

export async function drive(
  ctx: TurnContext & { conversation: string },
  stored: Session | undefined,
  event: TurnEvent,
  effects: EffectRunner,
  /** Filled as the turn goes, so a caller past its deadline can send what is ready. */
  output: TurnOutput = { replies: [], ended: false },
): Promise<Driven> {
  const warnings: string[] = [];
  const acquired = new Set<string>();
  let calls = 0;
  let step = advance(ctx, stored, event);
  for (;;) {
    // Counted across the whole turn, so a loop through a failing call cannot restart the count.
    if (step.effect !== undefined && callsOut(step.effect) && ++calls > ctx.bot.settings.maxCallsPerTurn) {
      const { script, step: index } = step.session.at ?? { script: '?', step: -1 };
      step = runaway(ctx.bot, step, `${ctx.bot.source}: more than ${ctx.bot.settings.maxCallsPerTurn} auth or web service calls in one turn (last at ${script} step ${index}); the conversation was ended`);
    }
    output.replies.push(...step.replies);
    warnings.push(...step.warnings);
    if (step.effect === undefined) break;
    const result = await effects.run(step.effect, { ...ctx, session: step.session, acquired });
    step = advance(ctx, step.session, { kind: 'result', result }, step.steps);
  }
  if (step.prompt !== undefined) output.prompt = step.prompt;
  output.ended = step.ended;
  output.language = conversationLanguage(ctx.bot.settings, step.session.vars);
  return { session: step.session, output, warnings };
}

/** Effects that go out to an author's service. */
function callsOut(effect: Effect): boolean {
  return effect.type === 'web.call' || effect.type === 'auth.signIn';
}
