// Ordering, stated honestly: where a platform says when a message was sent (Meta's timestamps,
// the Bot Framework's activity timestamps), a message older than one the conversation already
// ran is not run after it. Twilio gives no such time; there, order is set where messages reach
// the store.
import { describe, expect, it } from 'vitest';
import { turnRequestOf } from '../../channels/bot-framework/activity.js';
import { metaMessages } from '../../channels/meta/inbound.js';
import { createEngine } from '../../src/create-engine.js';
import { runTurn } from '../../src/runtime/run-turn.js';
import type { User } from '../../src/runtime/turn.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { botOf } from '../support/conversation.js';
import { fixture } from '../server/support.js';

const bot = botOf({
  format: 1,
  id: 'order',
  name: 'Order',
  start: 'main',
  scripts: { main: { steps: [{ type: 'question', ask: 'Say something.', save: 'said' }, { type: 'message', text: 'Got {said}.' }, { type: 'goto', script: 'main' }] } },
});
const user: User = { id: '2400000000000001', channel: 'messenger', via: 'meta' };

describe('messages that arrive out of order', () => {
  it('does not run a message older than one already run, and runs newer ones', async () => {
    const engine = createEngine({ bot, store: createMemoryStore() });
    const send = (text: string, sentAt: number, delivery: string) => runTurn(engine, { user, conversation: 'messenger:x', input: { text }, sentAt, delivery });
    await send('hi', 1_000, 'm1');
    expect((await send('second', 3_000, 'm3')).replies.map((r) => r.text)).toEqual(['Got second.']);
    // Sent before "second", delivered after it: answered with nothing, and nothing changes.
    expect(await send('first', 2_000, 'm2')).toEqual({ replies: [], ended: false });
    expect((await send('third', 4_000, 'm4')).replies.map((r) => r.text)).toEqual(['Got third.']);
  });

  it('reads the platform time of Meta events and Bot Framework activities', () => {
    expect(metaMessages(fixture('meta-whatsapp-text.json'))[0]?.request.sentAt).toBe(1_767_268_800_000);
    expect(metaMessages(fixture('meta-messenger-text.json'))[0]?.request.sentAt).toBe(1_767_268_800_123);
    expect(turnRequestOf(fixture('botframework-facebook-message.json'), 'botframework')?.sentAt).toBe(Date.parse('2026-01-01T12:00:00.123Z'));
    expect(turnRequestOf({ ...fixture('botframework-facebook-message.json'), timestamp: 'not a time' as unknown as Date }, 'botframework')?.sentAt).toBeUndefined();
  });
});
