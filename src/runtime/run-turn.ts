// One turn of one conversation, as every channel runs it: de-duplicate the platform's retries,
// take the conversation's lock (turns of one conversation run one after the other, in arrival
// order, across processes), read the session once, drive the interpreter, write it once.
// The store does this in two round trips, `turns.begin` and `turns.commit`; only a conversation
// that is busy with an earlier message costs more (queueing for its lock).
import { conversationLanguage, phrase } from './phrasebook.js';
import type { PhraseName } from './phrases.js';
import type { Store, TurnStart, Versioned } from '../stores/store.js';
import type { TurnEvent } from './advance.js';
import { drive } from './drive.js';
import type { Engine } from './engine.js';
import { ParleyError } from './errors.js';
import { relocate, stamped } from './relocate.js';
import { isExpired, type Session } from './session.js';
import type { ReplyAddress, TurnOutput, User, UserInput } from './turn.js';
import { keyPart, readKeyPart, userKey } from './user-key.js';

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
  /**
   * When the platform says the user sent it (epoch ms). Platforms deliver out of order and to
   * any instance; a message older than one this conversation already ran is not run after it.
   */
  sentAt?: number;
  /** How to reach this user later without a message to answer; kept in the session. */
  address?: ReplyAddress;
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

/**
 * A turn's lock is short and renewed while the turn runs: a turn may take as long as its calls
 * allow, but a lock whose turn died (a process killed, a store that stalled past its time-out)
 * frees the conversation within seconds.
 */
export const lockTtlMs = 6_000;
export const lockRenewMs = 2_000;
const lockWaitMs = 140_000;
const defaultDeliveryTtlSeconds = 3600;

/**
 * Where a conversation's state lives: under its user's key (the authority that vouched for the
 * user, the channel, the id). A user's own thread (SMS, WhatsApp, Messenger through Meta) is
 * named by the user alone; a call or a Bot Framework conversation also by its own id, after
 * the user's, so every key of every conversation names its user (user-key.ts).
 */
export function conversationKey(request: Pick<TurnRequest, 'user' | 'conversation'>): string {
  const user = userKey(request.user);
  return request.conversation === `${request.user.channel}:${request.user.id}` ? user : `${user}:${keyPart(request.conversation)}`;
}

/** The conversation as its channel names it, from the key `conversationKey` made for `user`. */
export function channelConversation(user: TurnRequest['user'], key: string): string {
  const own = userKey(user);
  return key.startsWith(`${own}:`) ? readKeyPart(key.slice(own.length + 1)) : `${user.channel}:${user.id}`;
}

export function runTurn(engine: Engine, request: TurnRequest, options: TurnOptions = {}): Promise<TurnAnswer> {
  // Tracked from its first round trip, so a shutdown that begins meanwhile waits for it.
  return engine.inFlight.track(startTurn(engine, request, options));
}

async function startTurn(engine: Engine, request: TurnRequest, options: TurnOptions): Promise<TurnAnswer> {
  const { delivery } = request;
  const conversation = conversationKey(request);
  const deliveryTtlSeconds = request.deliveryTtlSeconds ?? defaultDeliveryTtlSeconds;
  // A stopping instance starts nothing it might not finish: the user sends again, to another.
  if (engine.inFlight.stopping) return said(engine, 'interrupted');
  let begun: TurnStart;
  try {
    begun = await engine.store.turns.begin(conversation, { delivery, deliveryTtlSeconds, replayTtlSeconds: request.replayTtlSeconds, lockTtlMs });
  } catch (error) {
    // Nothing was claimed or written: the user is told, and the next message works once the store is back.
    engine.log.error({ err: error, conversation }, 'the store did not answer: the turn did not run');
    engine.metrics.error('store-unavailable');
    return said(engine, 'trouble');
  }
  if (begun.kind === 'replay') {
    engine.log.warn({ conversation }, 'a delivery that already ran came again after its answer was gone: refused as a replay');
    engine.metrics.duplicate(request.user.channel, 'replay');
    return { replies: [], ended: false, duplicate: true };
  }
  // Only a message with a delivery id can be a retry.
  if (begun.kind === 'duplicate' && delivery !== undefined) {
    engine.metrics.duplicate(request.user.channel, 'retry');
    return earlierAnswer(engine, conversation, delivery, options.deadlineMs);
  }

  const output: TurnOutput = { replies: [], ended: false };
  const pacing: Pacing = { finished: false };
  const running = engine.inFlight.track(turn(engine, request, conversation, begun, deliveryTtlSeconds, output, pacing));
  if (options.deadlineMs === undefined) return running;

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), options.deadlineMs);
  });
  const first = await Promise.race([running, deadline]).finally(() => clearTimeout(timer));
  // A turn that finished its steps is only writing them: its answer is moments away.
  if (first !== 'deadline' || pacing.finished) return running;

  // Past the deadline: answer with what is ready; the turn delivers the rest when it ends.
  const sent = output.replies.length;
  pacing.sent = sent;
  pacing.late = async (rest) => {
    if (rest.replies.length === 0 && rest.prompt === undefined && !rest.ended) return;
    await options.late?.(rest);
  };
  return { replies: output.replies.slice(0, sent), ended: false, continues: true, ...(output.language === undefined ? {} : { language: output.language }) };
}

/**
 * How a turn hands over to its late replies. `late` is set when the platform was answered
 * before the turn finished: the turn then sends the rest itself, while it still holds the
 * conversation's lock, so the next turn's replies can only follow these.
 */
interface Pacing {
  /** Set (synchronously) when the turn's steps are done, before it writes them. */
  finished: boolean;
  /** Replies the platform got in its answer: the late ones are those after. */
  sent?: number;
  late?: (rest: TurnOutput) => Promise<void>;
}

/** The conversation's lock and session, as a turn holds them. */
export interface Held {
  session: Versioned | undefined;
  /** The lock's holding: `turns.commit` releases it in the same round trip. */
  owner: string;
}

/** Runs the turn to its end; never throws: a failure is an answer the user can read. */
async function turn(
  engine: Engine,
  request: TurnRequest,
  conversation: string,
  begun: TurnStart,
  deliveryTtlSeconds: number,
  output: TurnOutput,
  pacing: Pacing,
): Promise<TurnAnswer> {
  const { bot, store } = engine;
  const { delivery } = request;
  let held: Held | undefined;
  // Past the deadline the lock is kept through the commit and released once the rest is sent.
  let keptLock = false;
  let language = bot.settings.language;
  let stop: (() => void) | undefined;
  let renewing: NodeJS.Timeout | undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    stop = engine.inFlight.onInterrupt(() => reject(new ParleyError('interrupted', 'the server is stopping')));
  });
  interrupted.catch(() => undefined);
  try {
    if (begun.kind === 'started') held = { session: begun.session, owner: begun.owner };
    else {
      // Queued behind another turn's lock: a shutdown does not wait for the queue to move (the
      // wait ends on its own, with the store closing; its outcome no longer matters then).
      const waiting = waitForTurn(engine, conversation);
      waiting.catch(() => undefined);
      held = await Promise.race([waiting, interrupted]);
    }
    const { owner } = held;
    renewing = setInterval(() => void store.turns.renew(conversation, owner, lockTtlMs).catch(() => undefined), lockRenewMs);
    renewing.unref();
    let session = held.session === undefined ? undefined : (JSON.parse(held.session.value) as Session);
    // Known before the steps run, so an answer cut short by the deadline is said in it too.
    language = conversationLanguage(bot.settings, session?.vars ?? {});
    output.language = language;
    if (request.sentAt !== undefined && session?.lastSentAt !== undefined && request.sentAt < session.lastSentAt) {
      pacing.finished = true;
      engine.log.info({ conversation }, 'a message older than one already answered came late: not run after it');
      const nothing: TurnAnswer = { replies: [], ended: false };
      await store.turns.commit(conversation, {
        owner: held.owner,
        expected: held.session?.version ?? 0,
        session: { value: held.session!.value, ttlSeconds: bot.settings.sessionTimeout },
        delivery: delivery === undefined ? undefined : { id: delivery, answer: JSON.stringify(nothing), ttlSeconds: deliveryTtlSeconds },
      });
      return nothing;
    }
    const now = (engine.clock ?? Date.now)();
    // The bot was reloaded since this conversation's last turn: find its place in this version.
    if (session !== undefined && session.revision !== bot.revision && session.ended !== true && !isExpired(session, now, bot.settings.sessionTimeout)) {
      const relocation = relocate(session, bot);
      if (relocation.kind === 'moved') {
        session = relocation.session;
        if (relocation.warning !== undefined) engine.log.warn({ conversation }, relocation.warning);
      } else if (relocation.kind === 'lost') {
        engine.log.warn({ conversation }, relocation.warning);
        session = undefined;
        output.replies.push({ text: phrase(bot.settings, language, 'botChanged') });
      }
    }
    const event: TurnEvent = request.input === undefined ? { kind: 'start' } : { kind: 'message', input: request.input };
    const address = request.address ?? session?.address;
    const ctx = { bot, user: request.user, now, conversation, ...(address && { address }), ...(engine.observe && { observe: engine.observe }) };
    // The store lost its data a short while ago: this user was likely mid-conversation, and
    // hears why the bot starts over rather than being greeted as a stranger.
    const lostAt = store.lostStateAt?.();
    if (held.session === undefined && request.input !== undefined && lostAt !== undefined && now - lostAt < bot.settings.sessionTimeout * 1000) {
      output.replies.push({ text: phrase(bot.settings, language, 'restarted') });
    }
    const driven = await Promise.race([drive(ctx, session, event, engine.effects, output), interrupted]);
    pacing.finished = true;
    for (const warning of driven.warnings) engine.log.warn({ conversation }, warning);
    if (request.sentAt !== undefined) driven.session.lastSentAt = Math.max(request.sentAt, driven.session.lastSentAt ?? 0);
    // Only a message that ran moves the address: an older one that came late was refused above.
    if (request.address !== undefined) driven.session.address = request.address;

    keptLock = pacing.late !== undefined;
    // A retry gets what the platform got the first time: past the deadline, only the replies
    // that were ready, since the rest goes out (once) as late replies.
    const answered: TurnAnswer = keptLock ? { replies: driven.output.replies.slice(0, pacing.sent), ended: false, continues: true, language } : driven.output;
    const written = await store.turns.commit(conversation, {
      owner: keptLock ? undefined : held.owner,
      expected: held.session?.version ?? 0,
      session: driven.session.ended === true ? 'delete' : { value: JSON.stringify(stamped(driven.session, bot)), ttlSeconds: bot.settings.sessionTimeout },
      delivery: delivery === undefined ? undefined : { id: delivery, answer: keptForRetries(engine, answered), ttlSeconds: deliveryTtlSeconds },
    });
    // Only possible when this turn outlived its lock; the other writer's state stands.
    if (!written) {
      engine.log.error({ conversation }, 'session changed under a running turn; this turn was not saved');
      engine.metrics.error('session-conflict');
    }
    if (pacing.late !== undefined) await deliverLate(engine, request, conversation, pacing.late, { ...driven.output, replies: driven.output.replies.slice(pacing.sent) });
    return driven.output;
  } catch (error) {
    pacing.finished = true;
    // A turn that failed may be tried again by the platform: free the delivery so the retry
    // runs it, and the lock so the next message need not wait for the lease to run out. The
    // session, never written, is as it was before this message.
    await store.turns.abandon(conversation, { owner: held?.owner, delivery }).catch(() => undefined);
    keptLock = false;
    const stopping = error instanceof ParleyError && error.code === 'interrupted';
    if (stopping) engine.log.warn({ conversation }, 'a turn was interrupted by shutdown: its user is asked to send again');
    else engine.log.error({ err: error, conversation }, 'turn failed');
    engine.metrics.error(stopping ? 'interrupted' : 'turn-failed');
    const answer = said(engine, stopping ? 'interrupted' : 'trouble', language);
    if (pacing.late !== undefined) await deliverLate(engine, request, conversation, pacing.late, answer);
    return answer;
  } finally {
    stop?.();
    clearInterval(renewing);
    if (keptLock && held !== undefined) await store.turns.abandon(conversation, { owner: held.owner }).catch(() => undefined);
  }
}

async function deliverLate(engine: Engine, request: TurnRequest, conversation: string, late: (output: TurnOutput) => Promise<void>, output: TurnOutput): Promise<void> {
  const anything = output.replies.length > 0 || output.prompt !== undefined || output.ended;
  try {
    await late(output);
    if (anything) engine.metrics.late(request.user.channel, 'sent');
  } catch (error) {
    engine.log.error({ err: error, conversation }, 'late delivery failed');
    engine.metrics.late(request.user.channel, 'failed');
  }
}

/**
 * A delivery's answer as the store keeps it for the platform's retries: a reply that holds a
 * bearer secret (a sign-in link) is sealed, so the store never has a link that works in clear.
 */
function keptForRetries(engine: Engine, answer: TurnAnswer): string {
  if (!answer.replies.some((reply) => reply.sensitive === true)) return JSON.stringify(answer);
  return JSON.stringify({ ...answer, replies: answer.replies.map((reply) => (reply.sensitive === true ? { ...reply, text: engine.sealer.seal(reply.text) } : reply)) });
}

function givenToRetry(engine: Engine, kept: string): TurnOutput {
  const answer = JSON.parse(kept) as TurnOutput;
  if (!answer.replies.some((reply) => reply.sensitive === true)) return answer;
  return { ...answer, replies: answer.replies.map((reply) => (reply.sensitive === true ? { ...reply, text: openOrNothing(engine, reply.text) } : reply)) };
}

/** Sealed by an instance with another key (none shared): the retry gets an empty reply, not a crash. */
function openOrNothing(engine: Engine, sealed: string): string {
  try {
    return engine.sealer.open(sealed);
  } catch {
    return '';
  }
}

/** A turn that ran nothing but tells the user one thing, in the bot's words. */
export function said(engine: Pick<Engine, 'bot'>, name: PhraseName, language = engine.bot.settings.language): TurnAnswer {
  return { replies: [{ text: phrase(engine.bot.settings, language, name) }], ended: false, language };
}

/** The conversation is busy with an earlier message: queue for its lock, in arrival order, then read the session. */
export async function waitForTurn(engine: Pick<Engine, 'store' | 'metrics'>, conversation: string): Promise<Held> {
  const { store } = engine;
  const started = performance.now();
  const release = await store.locks.acquire(conversation, lockTtlMs, lockWaitMs);
  engine.metrics.lockWait((performance.now() - started) / 1000, release === undefined ? 'timed-out' : 'acquired');
  if (release === undefined) throw new ParleyError('busy', 'the conversation is busy with an earlier message');
  try {
    return { session: await store.sessions.get(conversation), owner: release.owner };
  } catch (error) {
    await release();
    throw error;
  }
}

/** A retried delivery: wait for the first one's answer and give the same. */
async function earlierAnswer(engine: Engine, conversation: string, delivery: string, deadlineMs = 10_000): Promise<TurnAnswer> {
  const until = Date.now() + deadlineMs;
  for (let pause = 5; Date.now() < until; pause = Math.min(pause * 2, 200)) {
    const state = await engine.store.turns.delivery(conversation, delivery).catch(() => ({ kind: 'unknown' }) as const);
    if (state.kind === 'unknown') break;
    if (state.kind === 'answered') return { ...givenToRetry(engine, state.answer), duplicate: true };
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  // The first delivery is still running (or failed): answer nothing new, run nothing twice.
  return { replies: [], ended: false, continues: true };
}
