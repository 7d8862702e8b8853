// A component is the pure half of a step type: given the step, what just happened to it and
// the turn's draft, it says where the conversation goes next. Effects are only asked for,
// never run here (the driver runs them and comes back with a result).
import type { Bot, Position } from '../bot/bot.js';
import type { StepOf, StepType } from '../bot/schema.js';
import type { Effect, EffectResult } from '../runtime/effect.js';
import type { PhraseName } from '../runtime/phrases.js';
import type { PhraseParams } from '../runtime/phrasebook.js';
import type { Session, Wait } from '../runtime/session.js';
import type { JsonValue } from '../json.js';
import type { Prompt, Reply, User, UserInput } from '../runtime/turn.js';

/** What happened to the step being run. */
export type StepEvent =
  /** The conversation reached the step. */
  | { kind: 'enter' }
  /** The user answered while the step was waiting. */
  | { kind: 'answer'; input: UserInput }
  /** An effect the step asked for finished. */
  | { kind: 'result'; result: EffectResult };

/** Where the conversation goes after a step. */
export type Next =
  | { kind: 'next' }
  /** A target as authors write it, resolved from the current script. */
  | { kind: 'goto'; target: string }
  | { kind: 'jump'; to: Position }
  | { kind: 'wait'; wait: Wait; prompt: Prompt }
  | { kind: 'effect'; effect: Effect; wait: Wait }
  | { kind: 'end' };

/** The turn being built: components change the session and add replies through it. */
export interface Draft {
  readonly bot: Bot;
  readonly user: User;
  readonly now: number;
  readonly at: Position;
  /** A copy owned by this turn; components may change its fields (replace, never mutate, vars' values). */
  readonly session: Session;
  say(reply: Reply): void;
  /** Renders a text template against the conversation's variables (the user sees the result). */
  text(template: string): string;
  /** A built-in phrase (or the bot's override of it) in the conversation's language. */
  phrase(name: PhraseName, params?: PhraseParams): string;
  /** The value a placeholder name stands for (a variable, a dotted path into one, `user.*`, `account`). */
  value(name: string): JsonValue | undefined;
  /** A problem for the author's log (a missing variable, a runaway loop). Never holds secrets. */
  warn(message: string): void;
}

export interface Component<T extends StepType> {
  run(step: StepOf<T>, event: StepEvent, draft: Draft): Next;
}

/** One component per step type: a missing one is a compile error. */
export type Registry = { [T in StepType]: Component<T> };

/** The way out of a step that failed: its target if the author gave one, else the end. */
export function failureWay(target: string | undefined): Next {
  return target === undefined ? { kind: 'end' } : { kind: 'goto', target };
}
