// A conversation resumed with no webhook (a link sign-in that finished in the browser): it runs
// under the conversation's lock like any turn, reaches the user at their newest message's
// address, and says plainly when it could not. The senders here stand in for the channels'
// (the channel suite drives the real ones); the store is a real Redis.
import { describe, expect, it } from 'vitest';
import { resumeConversation } from '../../src/runtime/resume.js';
import { runTurn, type TurnRequest } from '../../src/runtime/run-turn.js';
import type { ReplyAddress, TurnOutput, User } from '../../src/runtime/turn.js';
import { startSlowService } from '../server/support.js';
import { botWith, enginesOnRedis } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('resume');
const user: User = { id: '+15550100077', channel: 'whatsapp', via: 'meta', phone: '+15550100077' };
const target = { user, conversation: `whatsapp:${user.id}` };
const here = (n: string): ReplyAddress => ({ kind: 'test', number: n });

const askName = () =>
  botWith({
    steps: [
      { type: 'question', ask: 'Your name?', save: 'name' },
      { type: 'end', text: 'Thanks, {name}.' },
    ],
  });

/** A sender that records what it was given, in order, and when. */
function recording() {
  const sent: Array<{ to: JsonLike; texts: string[] }> = [];
  return {
    sent,
    send: async (address: ReplyAddress, output: TurnOutput) => {
      sent.push({ to: address.number as JsonLike, texts: [...output.replies.map((r) => r.text), ...(output.prompt ? [output.prompt.text] : [])] });
    },
  };
}
type JsonLike = unknown;

const message = (text: string, address: ReplyAddress, sentAt: number): TurnRequest => ({ ...target, input: { text }, address, sentAt, delivery: `m-${text}-${sentAt}` });

describe('resumeConversation', () => {
  it('sends to the newest message’s address; a message that came late does not move it', async () => {
    const { engine } = engineFor(askName());
    const sender = recording();
    engine.senders.set('test', sender.send);
    await runTurn(engine, message('hi', here('second number'), 2_000));
    // Sent before "hi" from another of the user's addresses, delivered after it: refused, and ignored.
    const stale = await runTurn(engine, message('old', here('first number'), 1_000));
    expect(stale.replies).toEqual([]);

    expect(await resumeConversation(engine, target, { kind: 'start' })).toEqual({ ran: true, delivered: true, messages: 1 });
    expect(sender.sent).toEqual([{ to: 'second number', texts: ['Your name?'] }]);
  });

  it('waits for a running turn and sends after its replies, never between them', async () => {
    const api = await startSlowService(400, { ok: true });
    try {
      const bot = botWith({
        steps: [
          { type: 'question', ask: 'Ready?', save: 'ready' },
          { type: 'webService', url: `${api.url}/slow` },
          { type: 'question', ask: 'Your name?', save: 'name' },
          { type: 'end', text: 'Thanks.' },
        ],
      });
      const { engine } = engineFor(bot, { env: { ALLOW_PRIVATE_NETWORKS: 'true' } });
      const order: string[] = [];
      engine.senders.set('test', async (_address, output) => void order.push(`resumed: ${output.prompt?.text}`));
      await runTurn(engine, message('hi', here('n'), 1_000));
      const slow = runTurn(engine, message('yes', here('n'), 2_000)).then((answer) => void order.push(`turn: ${answer.prompt?.text}`));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const resumed = resumeConversation(engine, target, { kind: 'start' });
      await Promise.all([slow, resumed]);
      expect(order).toEqual(['turn: Your name?', 'resumed: Your name?']);
    } finally {
      await api.close();
    }
  });

  it('runs nothing and says why when the user cannot be reached', async () => {
    const { engine } = engineFor(askName());
    expect(await resumeConversation(engine, target, { kind: 'start' })).toEqual({ ran: false, delivered: false, reason: 'no-conversation' });

    // A conversation whose messages carried no address (the console, an old session).
    await runTurn(engine, { ...target, input: { text: 'hi' } });
    expect(await resumeConversation(engine, target, { kind: 'start' })).toEqual({ ran: false, delivered: false, reason: 'no-address' });

    // An address no channel of this server sends to (its settings are not given here).
    const { engine: other } = engineFor(askName());
    await runTurn(other, message('hello', here('n'), 5_000));
    expect(await resumeConversation(other, target, { kind: 'start' })).toEqual({ ran: false, delivered: false, reason: 'no-sender' });
    // Left as it was: the user's next message answers the question.
    expect((await runTurn(other, message('Ada', here('n'), 6_000))).replies.map((r) => r.text)).toEqual(['Thanks, Ada.']);
  });

  it('keeps what ran when the send fails, and frees the conversation', async () => {
    const bot = botWith({
      steps: [
        { type: 'question', ask: 'Your name?', save: 'name' },
        { type: 'set', vars: { greeted: 'yes' } },
        { type: 'question', ask: 'Your city?', save: 'city' },
        { type: 'end', text: '{name} of {city}, {greeted}.' },
      ],
    });
    const { engine } = engineFor(bot);
    engine.senders.set('test', async () => {
      throw new Error('the platform refused');
    });
    await runTurn(engine, message('hi', here('n'), 1_000));
    await runTurn(engine, message('Ada', here('n'), 2_000));
    expect(await resumeConversation(engine, target, { kind: 'start' })).toEqual({ ran: true, delivered: false, reason: 'send-failed' });
    const next = await runTurn(engine, message('London', here('n'), 3_000));
    expect(next.replies.map((r) => r.text)).toEqual(['Ada of London, yes.']);
  });

  it('is waited for by a shutdown', async () => {
    const { engine } = engineFor(askName());
    let release: () => void = () => undefined;
    engine.senders.set('test', () => new Promise<void>((resolve) => (release = resolve)));
    await runTurn(engine, message('hi', here('n'), 1_000));
    const resumed = resumeConversation(engine, target, { kind: 'start' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.inFlight.size).toBeGreaterThan(0);
    const drained = engine.inFlight.drain(5_000);
    release();
    expect(await drained).toBe(true);
    expect(await resumed).toEqual({ ran: true, delivered: true, messages: 1 });
    expect(await resumeConversation(engine, target, { kind: 'start' })).toEqual({ ran: false, delivered: false, reason: 'stopping' });
  });
});
