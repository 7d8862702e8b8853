// Faults lose nothing: on SIGTERM a server stops taking requests, lets running turns and their
// late replies finish within SHUTDOWN_GRACE_SECONDS, then interrupts what is left, telling its
// users to send again; it never exits with a conversation locked.
import { describe, expect, it, onTestFinished } from 'vitest';
import { botFile, serverProcesses } from '../support/server-process.js';
import { dumpKeys, rawRedis } from '../support/redis.js';
import { fixture, postTwilio, startSlowService, twimlTexts, uniquePhone } from '../server/support.js';

const serve = serverProcesses();

function slowBot(url: string) {
  return botFile({
    format: 1,
    id: `shutdown-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`,
    name: 'Shutdown',
    start: 'main',
    scripts: {
      main: {
        steps: [
          { type: 'question', ask: 'Account?', save: 'account' },
          { type: 'webService', url: `${url}/balance`, save: { balance: 'balance' }, timeout: 30 },
          { type: 'end', text: 'Balance: {balance}.' },
        ],
      },
    },
  });
}

const sms = (instance: { url: string; publicUrl: string }, from: string, body: string, sid: string) =>
  postTwilio(instance, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: sid });
const sidOf = (n: number) => `SM${String(n).padStart(4, '0')}${Math.random().toString(16).slice(2, 14).padEnd(28, '0')}`;

/** Keys of a conversation's lock left in Redis, for every bot. */
async function locks(): Promise<string[]> {
  const redis = rawRedis();
  try {
    return [...(await dumpKeys(redis, '')).keys()].filter((key) => key.includes(':lock:o'));
  } finally {
    await redis.quit();
  }
}

describe('SIGTERM', () => {
  it('finishes a running turn within the grace, answers it, and exits with no conversation locked', async () => {
    const api = await startSlowService(1_500, { balance: 42 });
    onTestFinished(() => api.close());
    const path = slowBot(api.url);
    const one = await serve(path, { SHUTDOWN_GRACE_SECONDS: '10' });
    const from = uniquePhone();
    expect(twimlTexts((await sms(one, from, 'hi', sidOf(1))).text, 'Message')).toEqual(['Account?']);
    const running = sms(one, from, '10001', sidOf(2));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppedAt = Date.now();
    process.kill(one.pid, 'SIGTERM');
    // New connections are refused at once; the running turn is answered in full.
    const answer = await running;
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Balance: 42.']);
    expect(await one.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(api.count()).toBe(1);
    expect((await locks()).filter((key) => key.includes(from))).toEqual([]);
  });

  it('past the grace, interrupts the turn: the user is told to send again, the lock is freed, and another instance serves the next message', async () => {
    // The first call outlives the grace; the next one answers at once.
    const api = await startSlowService((n) => (n === 1 ? 8_000 : 0), { balance: 42 });
    onTestFinished(() => api.close());
    const path = slowBot(api.url);
    const [one, two] = await Promise.all([serve(path, { SHUTDOWN_GRACE_SECONDS: '1' }), serve(path)]);
    const from = uniquePhone();
    expect(twimlTexts((await sms(one, from, 'hi', sidOf(1))).text, 'Message')).toEqual(['Account?']);
    const running = sms(one, from, '10001', sidOf(2));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppedAt = Date.now();
    process.kill(one.pid, 'SIGTERM');
    const answer = await running;
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Sorry, we were interrupted. Please send that again.']);
    expect(await one.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    expect((await locks()).filter((key) => key.includes(from))).toEqual([]);
    // The conversation is where it was before the interrupted message: the other instance
    // takes the answer again at once.
    const started = Date.now();
    const next = await sms(two, from, '10001', sidOf(3));
    expect(twimlTexts(next.text, 'Message')).toEqual(['Balance: 42.']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('what a shutdown waits for and interrupts', () => {
  const smallBot = async () => {
    const { botOf } = await import('../support/conversation.js');
    return botOf({ format: 1, id: 'small', name: 'Small', start: 'main', scripts: { main: { steps: [{ type: 'question', ask: 'Name?', save: 'n' }, { type: 'end', text: 'Bye {n}.' }] } } });
  };
  const user = { id: '+15550300001', channel: 'sms' as const, via: 'twilio' as const };

  it('tracks a turn from its first round trip to the store', async () => {
    const { createEngine } = await import('../../src/create-engine.js');
    const { createMemoryStore } = await import('../../src/stores/memory-store.js');
    const store = createMemoryStore();
    const slow = { ...store, turns: { ...store.turns, begin: async (...args: Parameters<typeof store.turns.begin>) => (await new Promise((r) => setTimeout(r, 100)), store.turns.begin(...args)) } };
    const engine = createEngine({ bot: await smallBot(), store: slow });
    const { runTurn } = await import('../../src/runtime/run-turn.js');
    const turn = runTurn(engine, { user, conversation: 'sms:x', input: { text: 'hi' } });
    expect(engine.inFlight.size).toBe(1);
    await turn;
    expect(engine.inFlight.size).toBe(0);
  });

  it('interrupts a turn queued behind another turn’s lock, freeing its message for a retry', async () => {
    const { createEngine } = await import('../../src/create-engine.js');
    const { createMemoryStore } = await import('../../src/stores/memory-store.js');
    const { conversationKey, runTurn } = await import('../../src/runtime/run-turn.js');
    const store = createMemoryStore();
    const engine = createEngine({ bot: await smallBot(), store });
    const conversation = 'sms:queued';
    // Another instance's turn holds the conversation.
    const holder = await store.locks.acquire(conversationKey({ user, conversation }), 60_000, 0);
    const queued = runTurn(engine, { user, conversation, input: { text: 'hi' }, delivery: 'twilio:SM1' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    engine.inFlight.interrupt();
    const started = Date.now();
    expect((await queued).replies.map((r) => r.text)).toEqual(['Sorry, we were interrupted. Please send that again.']);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await store.turns.delivery(conversationKey({ user, conversation }), 'twilio:SM1')).toEqual({ kind: 'unknown' });
    await holder?.();
  });
});
