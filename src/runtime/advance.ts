// The interpreter: one pure step over (bot, session, event). It walks the bot forward until a
// step waits for the user, asks for an effect, or the conversation ends, and returns what
// happened. It does no I/O and reads no clock: `now` comes in with the turn.
import { normalizeKeyword, resolveTarget, stepAt, type Bot, type Position } from '../bot/bot.js';
import type { Draft, Next, StepEvent } from '../components/component.js';
import type { PhraseName } from './phrases.js';
import { conversationLanguage, phrase, type PhraseParams } from './phrasebook.js';
import { registry } from '../components/registry.js';
import type { Step } from '../bot/schema.js';
import { renderText } from '../templates/render.js';
import type { Effect, EffectResult } from './effect.js';
import { conversationValue } from './scope.js';
import { isExpired, newSession, type Session } from './session.js';
import type { JsonValue } from '../json.js';
import type { StepObserver } from './step-observer.js';
import type { Prompt, Reply, ReplyAddress, User, UserInput } from './turn.js';

export type TurnEvent =
  /** A conversation starts with no user text (a phone call rings). */
  | { kind: 'start' }
  | { kind: 'message'; input: UserInput }
  | { kind: 'result'; result: EffectResult };

export interface Advance {
  session: Session;
  /** Steps run in this turn so far, across the effects in between: the cap is per turn. */
  steps: number;
  replies: Reply[];
  prompt?: Prompt;
  effect?: Effect;
  ended: boolean;
  /** Problems for the author's log, never shown to the user and never holding secrets. */
  warnings: string[];
}

export interface TurnContext {
  bot: Bot;
  user: User;
  now: number;
  /** Told of every step run (`parley test`'s coverage); absent in production. */
  observe?: StepObserver;
  /** Where the user can be reached outside this turn's answer (the SMS of a caller's sign-in link). */
  address?: ReplyAddress;
}

/** `stepsBefore`: steps this turn already ran before the effect whose result `event` brings. */
export function advance(ctx: TurnContext, stored: Session | undefined, event: TurnEvent, stepsBefore = 0): Advance {
  const { bot } = ctx;
  const fresh = event.kind !== 'result' && (stored === undefined || stored.ended === true || stored.at === undefined || isExpired(stored, ctx.now, bot.settings.sessionTimeout));
  const session: Session = fresh ? newSession(ctx.now) : { ...stored!, seen: ctx.now };
  const out: Advance = { session, steps: stepsBefore, replies: [], ended: false, warnings: [] };

  let at: Position;
  let stepEvent: StepEvent;
  const trigger = event.kind === 'message' ? triggerFor(bot, session, event.input) : undefined;
  if (trigger !== undefined) {
    at = { script: trigger, step: 0 };
    stepEvent = { kind: 'enter' };
    delete session.wait;
    delete session.retry;
  } else if (fresh || session.at === undefined) {
    // The first message of a conversation is a greeting, not an answer.
    at = { script: bot.start, step: 0 };
    stepEvent = { kind: 'enter' };
  } else {
    at = session.at;
    stepEvent = event.kind === 'result' ? { kind: 'result', result: event.result } : event.kind === 'message' ? { kind: 'answer', input: event.input } : { kind: 'enter' };
  }

  const draft = new TurnDraft(ctx, session, at, out);
  for (; ; out.steps++) {
    if (out.steps >= bot.settings.maxStepsPerTurn) {
      return runaway(bot, out, `${bot.source}: more than ${bot.settings.maxStepsPerTurn} steps in one turn without a question (last at ${at.script} step ${at.step}); the conversation was ended`);
    }
    const step = stepAt(bot, at);
    // Running past the last step of a script ends the conversation, as `end` would.
    if (step === undefined) return finish(out);

    draft.at = at;
    const next = runStep(step, stepEvent, draft);
    ctx.observe?.(at, step, stepEvent, next, session, ctx.user);
    switch (next.kind) {
      case 'next':
        at = { script: at.script, step: at.step + 1 };
        break;
      case 'goto': {
        const to = resolveTarget(bot, at.script, next.target);
        if (to === undefined) {
          return runaway(bot, out, `${bot.source}: target "${next.target}" in script "${at.script}" names nothing; the conversation was ended`);
        }
        at = to;
        break;
      }
      case 'jump':
        at = next.to;
        break;
      case 'wait':
        session.at = at;
        session.wait = next.wait;
        out.prompt = next.prompt;
        return out;
      case 'effect':
        session.at = at;
        session.wait = next.wait;
        out.effect = next.effect;
        return out;
      case 'end':
        return finish(out);
    }
    stepEvent = { kind: 'enter' };
    delete session.wait;
  }
}

function runStep(step: Step, event: StepEvent, draft: Draft): Next {
  // The registry is keyed by step type; TypeScript cannot correlate the two through a union.
  return (registry[step.type] as { run(step: Step, event: StepEvent, draft: Draft): Next }).run(step, event, draft);
}

/**
 * Ends a turn that ran away (too many steps, or calls, in one turn): the user is told in plain
 * words and can start over; the author's log says why.
 */
export function runaway(bot: Pick<Bot, 'settings'>, out: Advance, warning: string): Advance {
  out.warnings.push(warning);
  delete out.effect;
  return finish(out, { text: phrase(bot.settings, conversationLanguage(bot.settings, out.session.vars), 'runaway') });
}

function finish(out: Advance, last?: Reply): Advance {
  if (last !== undefined) out.replies.push(last);
  const { session } = out;
  delete session.at;
  delete session.wait;
  delete session.retry;
  session.ended = true;
  out.ended = true;
  return out;
}

/** A keyword that starts a script, unless the user is answering a sign-in question. */
function triggerFor(bot: Bot, session: Session, input: UserInput): string | undefined {
  if (bot.keywordIndex.size === 0 || session.wait?.kind === 'auth') return undefined;
  return bot.keywordIndex.get(normalizeKeyword(input.text));
}

/**
 * The turn's draft, made once per `advance` and moved from step to step: methods on a class,
 * not closures per step, because a turn runs many steps and this is its hottest allocation.
 */
class TurnDraft implements Draft {
  at: Position;
  readonly bot: Bot;
  readonly user: User;
  readonly now: number;

  constructor(
    ctx: TurnContext,
    readonly session: Session,
    at: Position,
    private readonly out: Advance,
  ) {
    this.bot = ctx.bot;
    this.user = ctx.user;
    this.now = ctx.now;
    this.at = at;
  }

  say(reply: Reply): void {
    this.out.replies.push(reply);
  }

  text(template: string): string {
    return renderText(template, this.lookup, this.missing);
  }

  value(name: string): JsonValue | undefined {
    return conversationValue(this.session, this.user, name);
  }

  warn(message: string): void {
    this.out.warnings.push(message);
  }

  // The language is read at each phrase: a step of this very turn may have set it.
  phrase(name: PhraseName, params?: PhraseParams): string {
    return phrase(this.bot.settings, conversationLanguage(this.bot.settings, this.session.vars), name, params);
  }

  private readonly lookup = (name: string): JsonValue | undefined => conversationValue(this.session, this.user, name);

  private readonly missing = (name: string): void => {
    this.out.warnings.push(`${this.bot.source}: {${name}} has no value in script "${this.at.script}" step ${this.at.step}`);
  };
}
