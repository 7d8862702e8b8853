// One turn of one conversation, as every channel runs it: de-duplicate the platform's retries,
// take the conversation's lock (turns of one conversation run one after the other, in arrival
// order, across processes), read the session once, drive the interpreter, write it once.
import type { Bot } from '../bot/bot.js';
import { phrases } from '../components/phrases.js';
import type { Store } from '../stores/store.js';
import type { TurnEvent } from './advance.js';
import { drive, type EffectRunner } from './drive.js';
import { ParleyError } from './errors.js';
import type { Log } from './log.js';
import type { Session } from './session.js';
import type { TurnOutput, User, UserInput } from './turn.js';

export interface Engine {
  bot: Bot;
  store: Store;
  effects: EffectRunner;
  log: Log;
  clock?: () => number;
}

export interface TurnRequest {
  user: User;
  /** One user on one channel; on the phone, one call. */
  conversation: string;
  /** Absent input starts the conversation without user text (a call rings). */
  input?: UserInput;
  /** The platform's id of this delivery (MessageSid, activity id, wamid…): retries get the same answer. */
  delivery?: string;
}

export interface TurnOptions {
  /**
   * Answer by this many ms even when an auth service or API holds the turn up; what comes
   * after is handed to `late` once the turn finishes.
   */
  deadlineMs?: number;
  late?: (output: TurnOutput) => Promise<void>;
}

export interface TurnAnswer extends TurnOutput {
  /** The turn was still running at the deadline; the rest goes to `late`. */
  continues?: boolean;
  /** This delivery was seen before: the answer is the first one's, nothing ran again. */
  duplicate?: boolean;
}

/** How long a turn may hold its conversation: longer than the slowest allowed web call. */
const lockTtlMs = 150_000;
const lockWaitMs = 140_000;
const deliveryTtlSeconds = 3600;
const pendingMark = '…';

export async function runTurn(engine: Engine, request: TurnRequest, options: TurnOptions = {}): Promise<TurnAnswer> {
  const deliveryKey = request.delivery === undefined ? undefined : `delivery:${engine.bot.id}:${request.delivery}`;
  if (deliveryKey !== undefined && !(await engine.store.keyed.setIfAbsent(deliveryKey, pendingMark, deliveryTtlSeconds))) {
    return earlierAnswer(engine, deliveryKey, options.deadlineMs);
  }

  const output: TurnOutput = { replies: [], ended: false };
  const running = turn(engine, request, output).then(async (final) => {
    if (deliveryKey !== undefined) await engine.store.keyed.set(deliveryKey, JSON.stringify(final), deliveryTtlSeconds);
    return final;
  });
  running.catch(async () => {
    // A turn that failed may be tried again by the platform: let the retry run it.
    if (deliveryKey !== undefined) await engine.store.keyed.delete(deliveryKey).catch(() => undefined);
  });

  if (options.deadlineMs === undefined) return running;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), options.deadlineMs);
  });
  const first = await Promise.race([running, deadline]).finally(() => clearTimeout(timer));
  if (first !== 'deadline') return first;

  // Past the deadline: answer with what is ready; the rest is delivered when the turn ends.
  const sent = output.replies.length;
  running
    .then(
      (final) => options.late?.({ ...final, replies: final.replies.slice(sent) }),
      // The platform was already answered: the user still hears that the turn failed, and the
      // session, never written, is as it was before this message.
      async (error: unknown) => {
        engine.log.error({ err: errorText(error), conversation: request.conversation }, 'late turn failed');
        await options.late?.({ replies: [{ text: phrases.runaway }], ended: true });
      },
    )
    .catch((error: unknown) => engine.log.error({ err: errorText(error), conversation: request.conversation }, 'late delivery failed'));
  return { replies: output.replies.slice(0, sent), ended: false, continues: true };
}

async function turn(engine: Engine, request: TurnRequest, output: TurnOutput): Promise<TurnOutput> {
  const { bot, store } = engine;
  const release = await store.locks.acquire(request.conversation, lockTtlMs, lockWaitMs);
  if (release === undefined) throw new ParleyError('busy', 'the conversation is busy with an earlier message');
  try {
    const stored = await store.sessions.get(request.conversation);
    const session = stored === undefined ? undefined : (JSON.parse(stored.value) as Session);
    const now = (engine.clock ?? Date.now)();
    const event: TurnEvent = request.input === undefined ? { kind: 'start' } : { kind: 'message', input: request.input };
    const ctx = { bot, user: request.user, now, conversation: request.conversation };
    const driven = await drive(ctx, session, event, engine.effects, output);
    for (const warning of driven.warnings) engine.log.warn({ conversation: request.conversation }, warning);

    const version = stored?.version ?? 0;
    if (driven.session.ended === true) {
      if (stored !== undefined) await store.sessions.delete(request.conversation);
    } else {
      const written = await store.sessions.set(request.conversation, JSON.stringify(driven.session), version, bot.settings.sessionTimeout);
      // Only possible when this turn outlived its lock; the other writer's state stands.
      if (written === false) engine.log.error({ conversation: request.conversation }, 'session changed under a running turn; this turn was not saved');
    }
    return driven.output;
  } finally {
    await release();
  }
}

/** A retried delivery: wait for the first one's answer and give the same. */
async function earlierAnswer(engine: Engine, key: string, deadlineMs = 10_000): Promise<TurnAnswer> {
  const until = Date.now() + deadlineMs;
  for (let pause = 5; Date.now() < until; pause = Math.min(pause * 2, 200)) {
    const value = await engine.store.keyed.get(key);
    if (value === undefined) break;
    if (value !== pendingMark) return { ...(JSON.parse(value) as TurnOutput), duplicate: true };
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  // The first delivery is still running (or failed): answer nothing new, run nothing twice.
  return { replies: [], ended: false, continues: true };
}

/** Errors are logged without stack or cause, which may quote a request; messages never hold values. */
function errorText(error: unknown): string {
  if (error instanceof ParleyError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
