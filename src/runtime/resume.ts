// A turn the user did not start: a link sign-in finished in the browser, and the conversation
// goes on by itself. It runs as a turn does (the conversation's lock, one read, one write),
// and sends its replies to the address the newest message came from while it still holds the
// lock, so a message the user sends meanwhile is answered after them, never before.
import type { TurnEvent } from './advance.js';
import { drive } from './drive.js';
import type { Engine } from './engine.js';
import { conversationKey, lockRenewMs, lockTtlMs, waitForTurn, type Held, type TurnRequest } from './run-turn.js';
import { relocate, stamped } from './relocate.js';
import { isExpired, type Session } from './session.js';
import type { ReplyAddress, TurnOutput } from './turn.js';

/** Sends a turn's output to a user the channel reached before; throws when it could not. */
export type SendUnprompted = (address: ReplyAddress, output: TurnOutput) => Promise<void>;

export type ResumeOutcome =
  /** The turn ran and `messages` messages reached the channel's sender (0: the bot had nothing to say). */
  | { ran: true; delivered: true; messages: number }
  /** The turn ran and was saved, but sending failed: the user sees its replies nowhere. */
  | { ran: true; delivered: false; reason: 'send-failed' }
  /**
   * Nothing ran, nothing changed: no conversation (ended, timed out), no address to reach its
   * user, no sender for that address on this server, or the server is stopping.
   */
  | { ran: false; delivered: false; reason: 'no-conversation' | 'no-address' | 'no-sender' | 'stopping' | 'busy' | 'failed' };

export function resumeConversation(engine: Engine, target: Pick<TurnRequest, 'user' | 'conversation'>, event: TurnEvent): Promise<ResumeOutcome> {
  if (engine.inFlight.stopping) return Promise.resolve({ ran: false, delivered: false, reason: 'stopping' });
  return engine.inFlight.track(resume(engine, target, event));
}

async function resume(engine: Engine, target: Pick<TurnRequest, 'user' | 'conversation'>, event: TurnEvent): Promise<ResumeOutcome> {
  const { bot, store } = engine;
  const conversation = conversationKey(target);
  let held: Held;
  try {
    held = await waitForTurn(engine, conversation);
  } catch (error) {
    engine.log.warn({ err: error, conversation }, 'a conversation could not be resumed: its lock or session could not be had');
    return { ran: false, delivered: false, reason: 'busy' };
  }
  const renewing = setInterval(() => void store.turns.renew(conversation, held.owner, lockTtlMs).catch(() => undefined), lockRenewMs);
  renewing.unref();
  try {
    const now = (engine.clock ?? Date.now)();
    let session = held.session === undefined ? undefined : (JSON.parse(held.session.value) as Session);
    // A conversation that is over is not started again by a link: the user's next message does that.
    if (session === undefined || session.ended === true || session.at === undefined || isExpired(session, now, bot.settings.sessionTimeout)) {
      return { ran: false, delivered: false, reason: 'no-conversation' };
    }
    // The bot was reloaded since: the conversation goes on at its place in this version, if it has one.
    if (session.revision !== bot.revision) {
      const relocation = relocate(session, bot);
      if (relocation.kind === 'lost') {
        engine.log.warn({ conversation }, relocation.warning);
        return { ran: false, delivered: false, reason: 'no-conversation' };
      }
      if (relocation.kind === 'moved') {
        session = relocation.session;
        if (relocation.warning !== undefined) engine.log.warn({ conversation }, relocation.warning);
      }
    }
    const address = session.address;
    if (address === undefined) return { ran: false, delivered: false, reason: 'no-address' };
    const send = engine.senders.get(address.kind);
    // Left as it is, the conversation still goes on at the user's next message.
    if (send === undefined) return { ran: false, delivered: false, reason: 'no-sender' };

    const driven = await drive({ bot, user: target.user, now, conversation, address, ...(engine.observe && { observe: engine.observe }) }, session, event, engine.effects);
    for (const warning of driven.warnings) engine.log.warn({ conversation }, warning);
    // Written before sending, with the lock kept: a crash after this loses replies, never state.
    const written = await store.turns.commit(conversation, {
      owner: undefined,
      expected: held.session?.version ?? 0,
      session: driven.session.ended === true ? 'delete' : { value: JSON.stringify(stamped(driven.session, bot)), ttlSeconds: bot.settings.sessionTimeout },
      delivery: undefined,
    });
    if (!written) engine.log.error({ conversation }, 'session changed under a resumed turn; this turn was not saved');
    const { output } = driven;
    const messages = output.replies.length + (output.prompt === undefined ? 0 : 1);
    if (messages === 0) return { ran: true, delivered: true, messages: 0 };
    try {
      await send(address, output);
    } catch (error) {
      engine.log.error({ err: error, conversation }, 'a resumed conversation’s replies could not be sent');
      return { ran: true, delivered: false, reason: 'send-failed' };
    }
    return { ran: true, delivered: true, messages };
  } catch (error) {
    engine.log.error({ err: error, conversation }, 'a resumed turn failed; the conversation is as it was');
    return { ran: false, delivered: false, reason: 'failed' };
  } finally {
    clearInterval(renewing);
    await store.turns.abandon(conversation, { owner: held.owner }).catch(() => undefined);
  }
}
