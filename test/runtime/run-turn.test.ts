// One turn as every channel runs it, against the memory store and a real Redis: one read and
// one write of state per turn, retries answered once, concurrent messages in order, and
// slow services answered by a deadline with the rest delivered later.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/create-engine.js';
import { conversationKey, runTurn } from '../../src/runtime/run-turn.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { TurnOutput, User } from '../../src/runtime/turn.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { botOf } from '../support/conversation.js';
import { testKeyPrefix, testRedisUrl } from '../support/redis.js';

let api: Server;
let apiUrl: string;
let apiCalls = 0;
/** Answers /slow after `release` is called, /count at once. */
let releaseSlow: () => void = () => undefined;

beforeAll(async () => {
  api = createServer((req, res) => {
    apiCalls += 1;
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: apiCalls }));
    if (req.url === '/slow') releaseSlow = answer;
    else answer();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
});

function counterBot() {
  return botOf({
    format: 1, id: 'counter', name: 'Counter', start: 'main',
    scripts: {
      main: { steps: [
        { id: 'ask', type: 'question', ask: 'Say something ({seen})', save: 'last' },
        { type: 'webService', url: `${apiUrl}/count`, save: { seen: 'n' } },
        { type: 'message', text: 'Got {last}.' },
        { type: 'goto', step: 'ask' },
      ] },
      slow: { steps: [{ type: 'message', text: 'Checking…' }, { type: 'webService', url: `${apiUrl}/slow` }, { type: 'end', text: 'Done.' }] },
    },
    triggers: [{ keywords: ['slow'], script: 'slow' }],
  });
}

/** Counts the session reads and writes a store sees, and the store calls of any kind. */
function counting(store: Store) {
  const counts = { reads: 0, writes: 0, calls: 0 };
  const { sessions, turns, locks } = store;
  const wrapped: Store = {
    ...store,
    sessions: {
      get: (c) => (counts.calls++, counts.reads++, sessions.get(c)),
    },
    locks: { acquire: (n, t, w) => (counts.calls++, locks.acquire(n, t, w)) },
    turns: {
      // A turn that starts has read the session; every commit writes (or deletes) it.
      begin: async (c, o) => {
        counts.calls++;
        const begun = await turns.begin(c, o);
        if (begun.kind === 'started') counts.reads++;
        return begun;
      },
      commit: (c, o) => (counts.calls++, counts.writes++, turns.commit(c, o)),
      abandon: (c, o) => (counts.calls++, turns.abandon(c, o)),
      renew: (c, o, t) => (counts.calls++, turns.renew(c, o, t)),
      delivery: (c, d) => (counts.calls++, turns.delivery(c, d)),
    },
  };
  return { store: wrapped, counts };
}

const user: User = { id: '+15550100007', channel: 'sms', via: 'twilio', phone: '+15550100007' };
const texts = (o: TurnOutput) => [...o.replies.map((r) => r.text), ...(o.prompt ? [o.prompt.text] : [])];

const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['redis', () => createRedisStore({ url: testRedisUrl(), prefix: testKeyPrefix('conversation') })],
];

describe.each(stores)('a turn with the %s store', (_name, makeStore) => {
  let engine: Engine;
  let counts: { reads: number; writes: number; calls: number };
  let store: Store;
  beforeAll(() => {
    store = makeStore();
    const counted = counting(store);
    counts = counted.counts;
    engine = createEngine({ bot: counterBot(), store: counted.store, allowPrivateNetworks: true });
  });
  afterAll(async () => {
    await store.close();
  });

  it('reads and writes the session once per turn, effects included', async () => {
    const conversation = `once-${Math.random()}`;
    await runTurn(engine, { user, conversation, input: { text: 'hi' } });
    const before = { ...counts };
    const output = await runTurn(engine, { user, conversation, input: { text: 'one' } });
    expect(texts(output)).toEqual(['Got one.', expect.stringMatching(/^Say something \(\d+\)$/)]);
    expect(counts.reads - before.reads).toBe(1);
    expect(counts.writes - before.writes).toBe(1);
    // Lock, read, write and release in two store calls (one round trip each on Redis).
    expect(counts.calls - before.calls).toBe(2);
  });

  it('reads and writes the session once when the turn had to wait for an earlier one', async () => {
    const conversation = `queued-${Math.random()}`;
    await runTurn(engine, { user, conversation, input: { text: 'hi' } });
    const release = await store.locks.acquire(conversation, 10_000, 0);
    const before = { ...counts };
    const waiting = runTurn(engine, { user, conversation, input: { text: 'two' }, delivery: `SM-${conversation}` });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await release?.();
    expect(texts(await waiting)[0]).toBe('Got two.');
    expect(counts.reads - before.reads).toBe(1);
    expect(counts.writes - before.writes).toBe(1);
  });

  it('gives a retried delivery the first answer and runs nothing twice', async () => {
    const conversation = `retry-${Math.random()}`;
    await runTurn(engine, { user, conversation, input: { text: 'hi' } });
    const callsBefore = apiCalls;
    const first = await runTurn(engine, { user, conversation, input: { text: 'once' }, delivery: `SM-${conversation}` });
    const again = await runTurn(engine, { user, conversation, input: { text: 'once' }, delivery: `SM-${conversation}` });
    expect(apiCalls - callsBefore).toBe(1);
    expect(texts(again)).toEqual(texts(first));
    expect(again.duplicate).toBe(true);
  });

  it('lets the platform retry a delivery whose turn failed, and run it at once', async () => {
    const conversation = `failed-${Math.random()}`;
    await runTurn(engine, { user, conversation, input: { text: 'hi' } });
    let failures = 1;
    const flaky: Store = {
      ...store,
      turns: { ...store.turns, commit: async (c, o) => (failures-- > 0 ? Promise.reject(new Error('the store went away')) : store.turns.commit(c, o)) },
    };
    const request = { user, conversation, input: { text: 'again' }, delivery: `SM-${conversation}` };
    // The user is told, in words that say nothing of the store.
    expect(texts(await runTurn({ ...engine, store: flaky }, request))).toEqual(["Sorry, we're having trouble right now. Please try again in a minute."]);
    // Neither the delivery nor the lock is left behind: the retry runs, without waiting.
    const retried = await runTurn({ ...engine, store: flaky }, request, { deadlineMs: 2_000 });
    expect(retried.duplicate).toBeUndefined();
    expect(texts(retried)[0]).toBe('Got again.');
  });

  it('runs two messages that arrive together one after the other, in arrival order', async () => {
    const conversation = `order-${Math.random()}`;
    await runTurn(engine, { user, conversation, input: { text: 'hi' } });
    const [a, b, c] = await Promise.all(['first', 'second', 'third'].map((text) => runTurn(engine, { user, conversation, input: { text } })));
    expect(texts(a!)[0]).toBe('Got first.');
    expect(texts(b!)[0]).toBe('Got second.');
    expect(texts(c!)[0]).toBe('Got third.');
    // Each turn saw the previous one's call count: no update was lost.
    const seen = [a, b, c].map((o) => Number(/\((\d+)\)/.exec(o!.prompt!.text)![1]));
    expect(seen[1]! - seen[0]!).toBe(1);
    expect(seen[2]! - seen[1]!).toBe(1);
  });

  it('answers by the deadline while a service is slow, and delivers the rest when it answers', async () => {
    const conversation = `slow-${Math.random()}`;
    let late: TurnOutput | undefined;
    const delivered = new Promise<void>((resolve) => {
      void runTurn(engine, { user, conversation, input: { text: 'slow' } }, {
        deadlineMs: 100,
        late: async (output) => {
          late = output;
          resolve();
        },
      }).then((first) => {
        expect(texts(first)).toEqual(['Checking…']);
        expect(first.continues).toBe(true);
        releaseSlow();
      });
    });
    await delivered;
    expect(texts(late!)).toEqual(['Done.']);
    expect(late!.ended).toBe(true);
  });

  it('tells the user when a turn fails after the deadline, and keeps the session as it was', async () => {
    const conversation = `failing-${Math.random()}`;
    const gone = async () => Promise.reject(new Error('the store went away'));
    const failing: Store = { ...store, turns: { ...store.turns, commit: gone } };
    const broken = { ...engine, store: failing };
    await runTurn(engine, { user, conversation, input: { text: 'hi' } });
    const before = await store.sessions.get(conversationKey({ user, conversation }));
    let late: TurnOutput | undefined;
    await new Promise<void>((resolve) => {
      void runTurn(broken, { user, conversation, input: { text: 'slow' } }, {
        deadlineMs: 50,
        late: async (output) => {
          late = output;
          resolve();
        },
      }).then(() => releaseSlow());
    });
    expect(texts(late!)).toEqual(["Sorry, we're having trouble right now. Please try again in a minute."]);
    expect(before).toBeDefined();
    expect(await store.sessions.get(conversationKey({ user, conversation }))).toEqual(before);
  });
});
