// One turn of one conversation, as every channel runs it: de-duplicate the platform's retries,
// take the conversation's lock (turns of one conversation run one after the other, in arrival
// order, across processes), read the session once, drive the interpreter, write it once.
// The store does this in two round trips, `turns.begin` and `turns.commit`; only a conversation
// that is busy with an earlier message costs more (queueing for its lock).
import type { Bot } from '../bot/bot.js';
import { phrases } from '../components/phrases.js';
import type { Store, TurnStart, Versioned } from '../stores/store.js';
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
  /**
   * One user on one channel; on the phone, one call. The store keeps it under the user's
   * authority too (see `conversationKey`), so channels cannot name another authority's state.
   */
  conversation: string;
  /** Absent input starts the conversation without user text (a call rings). */
  input?: UserInput;
  /** The platform's id of this delivery (MessageSid, activity id, wamid…): retries get the same answer. */
  delivery?: string;
  /**
   * How long the delivery's answer is kept for retries (1 h when absent): as long as the
   * platform may retry, and no longer, since every message leaves one in the store.
   */
  deliveryTtlSeconds?: number;
  /**
   * How long the delivery id is remembered after that, so a captured request sent again is
   * refused: for platforms whose signatures carry no time (Twilio). Absent: no such memory.
   */
  replayTtlSeconds?: number;
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
const defaultDeliveryTtlSeconds = 3600;

/** Where a conversation's state lives: under the authority that vouched for its user. */
export function conversationKey(request: Pick<TurnRequest, 'user' | 'conversation'>): string {
  return `${request.user.via}:${request.conversation}`;
}

export async function runTurn(engine: Engine, request: TurnRequest, options: TurnOptions = {}): Promise<TurnAnswer> {
  const { delivery } = request;
  const conversation = conversationKey(request);
  const deliveryTtlSeconds = request.deliveryTtlSeconds ?? defaultDeliveryTtlSeconds;
  const begun = await engine.store.turns.begin(conversation, { delivery, deliveryTtlSeconds, replayTtlSeconds: request.replayTtlSeconds, lockTtlMs });
  if (begun.kind === 'replay') {
    engine.log.warn({ conversation }, 'a delivery that already ran came again after its answer was gone: refused as a replay');
    return { replies: [], ended: false, duplicate: true };
  }
  // Only a message with a delivery id can be a retry.
  if (begun.kind === 'duplicate' && delivery !== undefined) return earlierAnswer(engine, conversation, delivery, options.deadlineMs);

  const output: TurnOutput = { replies: [], ended: false };
  const running = turn(engine, request, conversation, begun, deliveryTtlSeconds, output);

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
        engine.log.error({ err: error, conversation }, 'late turn failed');
        await options.late?.({ replies: [{ text: phrases.runaway }], ended: true });
      },
    )
    .catch((error: unknown) => engine.log.error({ err: error, conversation }, 'late delivery failed'));
  return { replies: output.replies.slice(0, sent), ended: false, continues: true };
}

/** The conversation's lock and session, as a turn holds them. */
interface Held {
  session: Versioned | undefined;
  /** When `turns.begin` took the lock: `turns.commit` releases it in the same round trip. */
  owner?: string;
  /** When the lock came from `locks.acquire`: released after the commit. */
  release?: () => Promise<void>;
}

async function turn(engine: Engine, request: TurnRequest, conversation: string, begun: TurnStart, deliveryTtlSeconds: number, output: TurnOutput): Promise<TurnOutput> {
  const { bot, store } = engine;
  const { delivery } = request;
  let held: Held | undefined;
  try {
    held = begun.kind === 'started' ? { session: begun.session, owner: begun.owner } : await waitForTurn(store, conversation);
    const session = held.session === undefined ? undefined : (JSON.parse(held.session.value) as Session);
    const now = (engine.clock ?? Date.now)();
    const event: TurnEvent = request.input === undefined ? { kind: 'start' } : { kind: 'message', input: request.input };
    const ctx = { bot, user: request.user, now, conversation };
    const driven = await drive(ctx, session, event, engine.effects, output);
    for (const warning of driven.warnings) engine.log.warn({ conversation }, warning);

    const written = await store.turns.commit(conversation, {
      owner: held.owner,
      expected: held.session?.version ?? 0,
      session: driven.session.ended === true ? 'delete' : { value: JSON.stringify(driven.session), ttlSeconds: bot.settings.sessionTimeout },
      delivery: delivery === undefined ? undefined : { id: delivery, answer: JSON.stringify(driven.output), ttlSeconds: deliveryTtlSeconds },
    });
    // Only possible when this turn outlived its lock; the other writer's state stands.
    if (!written) engine.log.error({ conversation }, 'session changed under a running turn; this turn was not saved');
    return driven.output;
  } catch (error) {
    // A turn that failed may be tried again by the platform: free the delivery so the retry
    // runs it, and the lock so the next message need not wait for the lease to run out.
    await store.turns.abandon(conversation, { owner: held?.owner, delivery }).catch(() => undefined);
    throw error;
  } finally {
    await held?.release?.();
  }
}

/** The conversation is busy with an earlier message: queue for its lock, in arrival order, then read the session. */
async function waitForTurn(store: Store, conversation: string): Promise<Held> {
  const release = await store.locks.acquire(conversation, lockTtlMs, lockWaitMs);
  if (release === undefined) throw new ParleyError('busy', 'the conversation is busy with an earlier message');
  try {
    return { session: await store.sessions.get(conversation), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** A retried delivery: wait for the first one's answer and give the same. */
async function earlierAnswer(engine: Engine, conversation: string, delivery: string, deadlineMs = 10_000): Promise<TurnAnswer> {
  const until = Date.now() + deadlineMs;
  for (let pause = 5; Date.now() < until; pause = Math.min(pause * 2, 200)) {
    const state = await engine.store.turns.delivery(conversation, delivery);
    if (state.kind === 'unknown') break;
    if (state.kind === 'answered') return { ...(JSON.parse(state.answer) as TurnOutput), duplicate: true };
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  // The first delivery is still running (or failed): answer nothing new, run nothing twice.
  return { replies: [], ended: false, continues: true };
}
