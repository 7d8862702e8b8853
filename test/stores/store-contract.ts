// The behaviour every Store promises, run against each implementation (memory-store.test.ts,
// redis-store.test.ts). Expiry is tested with real, short TTLs so both run the same way.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Store, TurnBegin, TurnStart } from '../../src/stores/store.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function uniqueName(label: string): string {
  return `${label}-${randomUUID()}`;
}

// Short enough to keep the suite fast, long enough that a busy machine running test files in
// parallel still reads the value before it expires.
const SHORT_TTL_S = 0.3;
const PAST_SHORT_TTL_MS = 700;

/**
 * Writes a session as a turn does (turns.begin, then turns.commit): true, or false when the
 * stored version was not `expected`. 'delete' ends the conversation.
 */
export async function write(store: Store, conv: string, value: string, expected: number, ttlSeconds = 60): Promise<boolean> {
  const begun = await store.turns.begin(conv, { deliveryTtlSeconds: 60, lockTtlMs: 10_000 });
  const owner = begun.kind === 'started' ? begun.owner : (await store.locks.acquire(conv, 10_000, 10_000))?.owner;
  if (owner === undefined) throw new Error('the conversation stayed locked');
  return store.turns.commit(conv, { owner, expected, session: value === 'delete' ? 'delete' : { value, ttlSeconds } });
}

export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  // A store per test, so the tests can run concurrently: most of their time is spent waiting
  // for TTLs to pass.
  const test = it.extend('store', async ({}, { onCleanup }): Promise<Store> => {
    const store = await makeStore();
    onCleanup(() => store.close());
    return store;
  });

  describe.concurrent(`${name} store contract`, () => {

    test('answers ping', async ({ store }) => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('sessions', () => {
      test('reads a conversation that has no session as undefined', async ({ store }) => {
        expect(await store.sessions.get(uniqueName('conv'))).toBeUndefined();
      });

      test('writes a first session against version 0 and reads it back with version 1', async ({ store }) => {
        const conv = uniqueName('conv');
        expect(await write(store, conv, '{"step":"start"}', 0)).toBe(true);
        expect(await store.sessions.get(conv)).toEqual({ value: '{"step":"start"}', version: 1 });
      });

      test('counts versions up with each write', async ({ store }) => {
        const conv = uniqueName('conv');
        expect(await write(store, conv, 'a', 0)).toBe(true);
        expect(await write(store, conv, 'b', 1)).toBe(true);
        expect(await write(store, conv, 'c', 2)).toBe(true);
        expect(await store.sessions.get(conv)).toEqual({ value: 'c', version: 3 });
      });

      test('refuses a write against a stale version and keeps the session as it was', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'first', 0);
        await write(store, conv, 'second', 1);
        expect(await write(store, conv, 'late', 1)).toBe(false);
        expect(await write(store, conv, 'new?', 0)).toBe(false);
        expect(await store.sessions.get(conv)).toEqual({ value: 'second', version: 2 });
      });

      test('refuses a write that expects a session when there is none', async ({ store }) => {
        const conv = uniqueName('conv');
        expect(await write(store, conv, 'x', 3)).toBe(false);
        expect(await store.sessions.get(conv)).toBeUndefined();
      });

      test('lets exactly one of several writers with the same version win', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'base', 0);
        const values = ['w1', 'w2', 'w3', 'w4', 'w5'];
        const results = await Promise.all(values.map((value) => write(store, conv, value, 1)));
        expect(results.filter((result) => result)).toHaveLength(1);
        expect(await store.sessions.get(conv)).toEqual({ value: values[results.indexOf(true)], version: 2 });
      });

      test('keeps any text exactly, separators and unicode included', async ({ store }) => {
        const conv = uniqueName('conv|with:odd{chars}');
        const value = JSON.stringify({ text: 'a|b|c 1|2', emoji: '👋 héllo', nested: { list: [1, '|'] } });
        await write(store, conv, value, 0);
        expect((await store.sessions.get(conv))?.value).toBe(value);
      });

      test('keeps sessions of different conversations apart', async ({ store }) => {
        const one = uniqueName('conv');
        const two = uniqueName('conv');
        await write(store, one, 'one', 0);
        expect(await store.sessions.get(two)).toBeUndefined();
        expect(await write(store, two, 'two', 0)).toBe(true);
        expect(await store.sessions.get(one)).toEqual({ value: 'one', version: 1 });
      });

      test('forgets a session after its ttl, and a new one starts again from version 0', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'short', 0, SHORT_TTL_S);
        expect(await store.sessions.get(conv)).toBeDefined();
        await sleep(PAST_SHORT_TTL_MS);
        expect(await store.sessions.get(conv)).toBeUndefined();
        expect(await write(store, conv, 'again', 0)).toBe(true);
        expect(await store.sessions.get(conv)).toEqual({ value: 'again', version: 1 });
      });

      test('renews the ttl on every write', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'a', 0, SHORT_TTL_S);
        await write(store, conv, 'b', 1, 60);
        await sleep(PAST_SHORT_TTL_MS);
        expect(await store.sessions.get(conv)).toEqual({ value: 'b', version: 2 });
      });

      test('deletes a session when a conversation ends, after which the next write starts from version 0', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'a', 0);
        expect(await write(store, conv, 'delete', 1)).toBe(true);
        expect(await store.sessions.get(conv)).toBeUndefined();
        expect(await write(store, conv, 'b', 0)).toBe(true);
        expect(await store.sessions.get(conv)).toEqual({ value: 'b', version: 1 });
      });
    });

    describe('tokens', () => {
      const record = { token: 'ya29.secret-access-token', account: 'user@example.com' };

      test('reads an unknown key as undefined', async ({ store }) => {
        expect(await store.tokens.get(uniqueName('tok'))).toBeUndefined();
      });

      test('gives back the record it was given', async ({ store }) => {
        const key = uniqueName('tok');
        await store.tokens.set(key, record, 60);
        expect(await store.tokens.get(key)).toEqual(record);
      });

      test('replaces a record written under the same key', async ({ store }) => {
        const key = uniqueName('tok');
        await store.tokens.set(key, record, 60);
        await store.tokens.set(key, { token: 'refreshed', account: 'user@example.com' }, 60);
        expect(await store.tokens.get(key)).toEqual({ token: 'refreshed', account: 'user@example.com' });
      });

      test('forgets a token after its ttl', async ({ store }) => {
        const key = uniqueName('tok');
        await store.tokens.set(key, record, SHORT_TTL_S);
        expect(await store.tokens.get(key)).toEqual(record);
        await sleep(PAST_SHORT_TTL_MS);
        expect(await store.tokens.get(key)).toBeUndefined();
      });

      test('deletes a token', async ({ store }) => {
        const key = uniqueName('tok');
        await store.tokens.set(key, record, 60);
        await store.tokens.delete(key);
        expect(await store.tokens.get(key)).toBeUndefined();
      });
    });

    describe('locks', () => {
      test('grants a free lock at once and again after release', async ({ store }) => {
        const lock = uniqueName('lock');
        const release = await store.locks.acquire(lock, 5_000, 0);
        expect(release).toBeTypeOf('function');
        await release?.();
        const again = await store.locks.acquire(lock, 5_000, 0);
        expect(again).toBeTypeOf('function');
        await again?.();
      });

      test('lets only one holder in at a time', async ({ store }) => {
        const lock = uniqueName('lock');
        let inside = 0;
        let most = 0;
        let done = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            const release = await store.locks.acquire(lock, 5_000, 10_000);
            if (release === undefined) throw new Error('lock not granted');
            inside++;
            most = Math.max(most, inside);
            await sleep(5);
            inside--;
            done++;
            await release();
          }),
        );
        expect(done).toBe(8);
        expect(most).toBe(1);
      });

      test('serves waiters in the order they asked', async ({ store }) => {
        const lock = uniqueName('lock');
        const holder = await store.locks.acquire(lock, 10_000, 0);
        const order: number[] = [];
        const waiters: Promise<void>[] = [];
        for (let i = 0; i < 5; i++) {
          waiters.push(
            store.locks.acquire(lock, 10_000, 10_000).then(async (release) => {
              order.push(i);
              await sleep(2);
              await release?.();
            }),
          );
          await sleep(15);
        }
        await holder?.();
        await Promise.all(waiters);
        expect(order).toEqual([0, 1, 2, 3, 4]);
      });

      test('passes over a holder that never releases once its ttl is over', async ({ store }) => {
        const lock = uniqueName('lock');
        const started = Date.now();
        expect(await store.locks.acquire(lock, 300, 0)).toBeDefined();
        const next = await store.locks.acquire(lock, 5_000, 5_000);
        const waited = Date.now() - started;
        expect(next).toBeDefined();
        expect(waited).toBeGreaterThanOrEqual(250);
        expect(waited).toBeLessThan(3_000);
        await next?.();
      });

      test('gives up with undefined after waitMs while the lock is held', async ({ store }) => {
        const lock = uniqueName('lock');
        const holder = await store.locks.acquire(lock, 10_000, 0);
        const started = Date.now();
        expect(await store.locks.acquire(lock, 10_000, 200)).toBeUndefined();
        const waited = Date.now() - started;
        expect(waited).toBeGreaterThanOrEqual(190);
        expect(waited).toBeLessThan(2_000);
        expect(await store.locks.acquire(lock, 10_000, 0)).toBeUndefined();
        await holder?.();
      });

      test('does not let a waiter that gave up hold up those behind it', async ({ store }) => {
        const lock = uniqueName('lock');
        const holder = await store.locks.acquire(lock, 10_000, 0);
        const quitter = store.locks.acquire(lock, 10_000, 100);
        await sleep(10);
        const patient = store.locks.acquire(lock, 10_000, 10_000);
        expect(await quitter).toBeUndefined();
        await holder?.();
        const started = Date.now();
        const release = await patient;
        expect(release).toBeDefined();
        expect(Date.now() - started).toBeLessThan(500);
        await release?.();
      });

      test('ignores a release by a holder whose ttl ran out after another took the lock', async ({ store }) => {
        const lock = uniqueName('lock');
        const stale = await store.locks.acquire(lock, 200, 0);
        const current = await store.locks.acquire(lock, 10_000, 5_000);
        expect(current).toBeDefined();
        await stale?.();
        expect(await store.locks.acquire(lock, 10_000, 100)).toBeUndefined();
        await current?.();
        const after = await store.locks.acquire(lock, 10_000, 0);
        expect(after).toBeDefined();
        await after?.();
      });

      test('is harmless to release twice', async ({ store }) => {
        const lock = uniqueName('lock');
        const first = await store.locks.acquire(lock, 10_000, 0);
        await first?.();
        const second = await store.locks.acquire(lock, 10_000, 0);
        await first?.();
        expect(await store.locks.acquire(lock, 10_000, 50)).toBeUndefined();
        await second?.();
      });

      test('keeps locks of different names apart', async ({ store }) => {
        const one = await store.locks.acquire(uniqueName('lock'), 10_000, 0);
        const two = await store.locks.acquire(uniqueName('lock'), 10_000, 0);
        expect(one).toBeDefined();
        expect(two).toBeDefined();
        await one?.();
        await two?.();
      });
    });

    describe('turns', () => {
      const begin = (store: Store, conv: string, delivery?: string, more: Partial<TurnBegin> = {}) =>
        store.turns.begin(conv, { ...(delivery !== undefined && { delivery }), deliveryTtlSeconds: 60, lockTtlMs: 10_000, ...more });
      const started = async (start: Promise<TurnStart>) => {
        const begun = await start;
        if (begun.kind !== 'started') throw new Error(`expected the turn to start, it was ${begun.kind}`);
        return begun;
      };
      const keep = (value: string) => ({ value, ttlSeconds: 60 });

      test('begins a turn of an idle conversation: claims the delivery, takes the lock, reads the session', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'before', 0);
        const begun = await started(begin(store, conv, 'SM1'));
        expect(begun.session).toEqual({ value: 'before', version: 1 });
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'running' });
        expect(await store.locks.acquire(conv, 10_000, 0)).toBeUndefined();
        expect(await store.turns.commit(conv, { owner: begun.owner, expected: 1, session: keep('after') })).toBe(true);
        expect(await store.sessions.get(conv)).toEqual({ value: 'after', version: 2 });
      });

      test('begins a turn of a conversation that has no session, and one without a delivery', async ({ store }) => {
        const conv = uniqueName('conv');
        const first = await started(begin(store, conv));
        expect(first.session).toBeUndefined();
        expect(await store.turns.commit(conv, { owner: first.owner, expected: 0, session: keep('one') })).toBe(true);
        const second = await started(begin(store, conv));
        expect(second.session).toEqual({ value: 'one', version: 1 });
        await store.turns.commit(conv, { owner: second.owner, expected: 1, session: keep('two') });
      });

      test('tells a retried delivery apart while its turn runs and after it committed, and gives its answer', async ({ store }) => {
        const conv = uniqueName('conv');
        const begun = await started(begin(store, conv, 'SM1'));
        expect(await begin(store, conv, 'SM1')).toEqual({ kind: 'duplicate' });
        await store.turns.commit(conv, { owner: begun.owner, expected: 0, session: keep('s'), delivery: { id: 'SM1', answer: '{"replies":["hi"]}', ttlSeconds: 60 } });
        expect(await begin(store, conv, 'SM1')).toEqual({ kind: 'duplicate' });
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'answered', answer: '{"replies":["hi"]}' });
        expect(await store.turns.delivery(conv, 'SM2')).toEqual({ kind: 'unknown' });
      });

      test('lets exactly one of several concurrent begins with one delivery through', async ({ store }) => {
        const conv = uniqueName('conv');
        const begun = await Promise.all(Array.from({ length: 5 }, () => begin(store, conv, 'SM1')));
        expect(begun.filter((b) => b.kind === 'started')).toHaveLength(1);
        expect(begun.filter((b) => b.kind === 'duplicate')).toHaveLength(4);
      });

      test('keeps deliveries of different conversations apart', async ({ store }) => {
        const one = uniqueName('conv');
        const two = uniqueName('conv');
        expect((await begin(store, one, 'SM1')).kind).toBe('started');
        expect((await begin(store, two, 'SM1')).kind).toBe('started');
      });

      test('answers busy while the lock is held, having claimed the delivery all the same', async ({ store }) => {
        const conv = uniqueName('conv');
        const holder = await store.locks.acquire(conv, 10_000, 0);
        expect(await begin(store, conv, 'SM2')).toEqual({ kind: 'busy' });
        expect(await begin(store, conv, 'SM2')).toEqual({ kind: 'duplicate' });
        expect(await begin(store, conv)).toEqual({ kind: 'busy' });
        await holder?.();
        expect((await begin(store, conv, 'SM3')).kind).toBe('started');
      });

      test('keeps acquire callers out while begin holds the lock, and lets them in on commit or abandon', async ({ store }) => {
        const conv = uniqueName('conv');
        const first = await started(begin(store, conv));
        expect(await store.locks.acquire(conv, 10_000, 0)).toBeUndefined();
        const waiting = store.locks.acquire(conv, 10_000, 5_000);
        await sleep(20);
        await store.turns.commit(conv, { owner: first.owner, expected: 0, session: keep('s') });
        const release = await waiting;
        expect(release).toBeTypeOf('function');
        await release?.();

        const second = await started(begin(store, conv));
        const waitingAgain = store.locks.acquire(conv, 10_000, 5_000);
        await sleep(20);
        await store.turns.abandon(conv, { owner: second.owner });
        const again = await waitingAgain;
        expect(again).toBeTypeOf('function');
        await again?.();
      });

      test('never lets a new turn overtake one waiting for the lock: arrival order holds when begin and acquire mix', async ({ store }) => {
        const conv = uniqueName('conv');
        const order: string[] = [];
        const first = await started(begin(store, conv, 'SM1'));
        order.push('SM1');
        // SM2 finds the conversation busy and queues, as a turn does.
        expect(await begin(store, conv, 'SM2')).toEqual({ kind: 'busy' });
        const second = store.locks.acquire(conv, 10_000, 10_000).then(async (release) => {
          order.push('SM2');
          await sleep(5);
          await release?.();
        });
        await sleep(30);
        await store.turns.commit(conv, { owner: first.owner, expected: 0, session: keep('s') });
        // Right after the release SM2 still waits (or holds the lock): SM3 queues behind it.
        expect(await begin(store, conv, 'SM3')).toEqual({ kind: 'busy' });
        const third = store.locks.acquire(conv, 10_000, 10_000).then(async (release) => {
          order.push('SM3');
          await release?.();
        });
        await Promise.all([second, third]);
        expect(order).toEqual(['SM1', 'SM2', 'SM3']);
        expect((await begin(store, conv, 'SM4')).kind).toBe('started');
      });

      test('writes the session on commit only if its version is unchanged, and releases the lock and keeps the answer either way', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'read', 0);
        const begun = await started(begin(store, conv, 'SM1', { lockTtlMs: 200 }));
        // This turn outlives its lock, and another turn writes meanwhile.
        await sleep(300);
        expect(await write(store, conv, 'other', 1)).toBe(true);
        const commit = { owner: begun.owner, expected: 1, session: keep('late'), delivery: { id: 'SM1', answer: 'a', ttlSeconds: 60 } };
        expect(await store.turns.commit(conv, commit)).toBe(false);
        expect(await store.sessions.get(conv)).toEqual({ value: 'other', version: 2 });
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'answered', answer: 'a' });
        const release = await store.locks.acquire(conv, 10_000, 0);
        expect(release).toBeTypeOf('function');
        await release?.();
      });

      test('deletes the session on commit when the conversation ended, only if its version is unchanged', async ({ store }) => {
        const conv = uniqueName('conv');
        await write(store, conv, 'last', 0);
        const stale = await started(begin(store, conv, undefined, { lockTtlMs: 200 }));
        await sleep(300);
        await write(store, conv, 'newer', 1);
        expect(await store.turns.commit(conv, { owner: stale.owner, expected: 1, session: 'delete' })).toBe(false);
        expect(await store.sessions.get(conv)).toEqual({ value: 'newer', version: 2 });
        const current = await started(begin(store, conv));
        expect(await store.turns.commit(conv, { owner: current.owner, expected: 2, session: 'delete' })).toBe(true);
        expect(await store.sessions.get(conv)).toBeUndefined();
        const none = await started(begin(store, conv));
        expect(await store.turns.commit(conv, { owner: none.owner, expected: 0, session: 'delete' })).toBe(true);
      });

      test('commits without an owner when the lock came from acquire, and leaves releasing it to the holder', async ({ store }) => {
        const conv = uniqueName('conv');
        const release = await store.locks.acquire(conv, 10_000, 0);
        expect(await store.turns.commit(conv, { expected: 0, session: keep('s') })).toBe(true);
        expect(await store.locks.acquire(conv, 10_000, 0)).toBeUndefined();
        await release?.();
        expect(await store.sessions.get(conv)).toEqual({ value: 's', version: 1 });
      });

      test('releases the lock only for its owner: a commit or abandon after the lock passed on does nothing to it', async ({ store }) => {
        const conv = uniqueName('conv');
        const stale = await started(begin(store, conv, undefined, { lockTtlMs: 200 }));
        const current = await store.locks.acquire(conv, 10_000, 5_000);
        expect(current).toBeTypeOf('function');
        await store.turns.commit(conv, { owner: stale.owner, expected: 0, session: keep('s') });
        await store.turns.abandon(conv, { owner: stale.owner });
        expect(await store.locks.acquire(conv, 10_000, 100)).toBeUndefined();
        expect(await begin(store, conv)).toEqual({ kind: 'busy' });
        await current?.();
        expect((await begin(store, conv)).kind).toBe('started');
      });

      test('frees the delivery and the lock of an abandoned turn, so a retry runs', async ({ store }) => {
        const conv = uniqueName('conv');
        const failed = await started(begin(store, conv, 'SM1'));
        await store.turns.abandon(conv, { owner: failed.owner, delivery: 'SM1' });
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'unknown' });
        expect((await begin(store, conv, 'SM1')).kind).toBe('started');
      });

      test('forgets a delivery after its ttl, claimed or answered', async ({ store }) => {
        const conv = uniqueName('conv');
        const claimed = await started(begin(store, conv, 'SM1', { deliveryTtlSeconds: SHORT_TTL_S }));
        await store.turns.abandon(conv, { owner: claimed.owner });
        const answered = await started(begin(store, conv, 'SM2'));
        await store.turns.commit(conv, { owner: answered.owner, expected: 0, session: keep('s'), delivery: { id: 'SM2', answer: 'a', ttlSeconds: SHORT_TTL_S } });
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'running' });
        expect(await store.turns.delivery(conv, 'SM2')).toEqual({ kind: 'answered', answer: 'a' });
        await sleep(PAST_SHORT_TTL_MS);
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'unknown' });
        expect(await store.turns.delivery(conv, 'SM2')).toEqual({ kind: 'unknown' });
        expect((await begin(store, conv, 'SM2')).kind).toBe('started');
      });

      test('refuses a delivery that ran as a replay once its answer is gone, for replayTtlSeconds', async ({ store }) => {
        const conv = uniqueName('conv');
        const first = await started(begin(store, conv, 'SM1', { replayTtlSeconds: 60 }));
        await store.turns.commit(conv, { owner: first.owner, expected: 0, session: keep('s'), delivery: { id: 'SM1', answer: 'a', ttlSeconds: SHORT_TTL_S } });
        // While the answer is kept, a retry is a duplicate and gets it.
        expect((await begin(store, conv, 'SM1', { replayTtlSeconds: 60 })).kind).toBe('duplicate');
        await sleep(PAST_SHORT_TTL_MS);
        expect((await begin(store, conv, 'SM1', { replayTtlSeconds: 60 })).kind).toBe('replay');
        // A replay claims nothing: the conversation is free and the delivery unknown.
        expect(await store.turns.delivery(conv, 'SM1')).toEqual({ kind: 'unknown' });
        expect((await begin(store, conv, 'SM2', { replayTtlSeconds: 60 })).kind).toBe('started');
      });

      test('forgets a replay mark after replayTtlSeconds, and frees it with a failed turn', async ({ store }) => {
        const conv = uniqueName('conv');
        const first = await started(begin(store, conv, 'SM1', { deliveryTtlSeconds: SHORT_TTL_S, replayTtlSeconds: SHORT_TTL_S }));
        await store.turns.commit(conv, { owner: first.owner, expected: 0, session: keep('s'), delivery: { id: 'SM1', answer: 'a', ttlSeconds: SHORT_TTL_S } });
        await sleep(PAST_SHORT_TTL_MS);
        const again = await started(begin(store, conv, 'SM1', { replayTtlSeconds: 60 }));
        // The platform retries a failed turn: that retry must run, not be taken for a replay.
        await store.turns.abandon(conv, { owner: again.owner, delivery: 'SM1' });
        expect((await begin(store, conv, 'SM1', { replayTtlSeconds: 60 })).kind).toBe('started');
      });

      test('renews a turn’s lock for its owner only, so a running turn keeps it past its ttl', async ({ store }) => {
        const conv = uniqueName('conv');
        const begun = await started(begin(store, conv, undefined, { lockTtlMs: 400 }));
        await sleep(250);
        expect(await store.turns.renew(conv, begun.owner, 400)).toBe(true);
        expect(await store.turns.renew(conv, 'someone-else', 400)).toBe(false);
        await sleep(250);
        // 500 ms after it was taken with a 400 ms ttl, the lock is still held.
        expect(await store.locks.acquire(conv, 10_000, 0)).toBeUndefined();
        await sleep(300);
        const next = await store.locks.acquire(conv, 10_000, 0);
        expect(next).toBeTypeOf('function');
        expect(await store.turns.renew(conv, begun.owner, 400)).toBe(false);
        // A lock from acquire names its holding too, and a commit by that owner releases it.
        expect(await store.turns.renew(conv, next!.owner, 10_000)).toBe(true);
        expect(await store.turns.commit(conv, { owner: next!.owner, expected: 0, session: keep('s') })).toBe(true);
        expect(await store.locks.acquire(conv, 10_000, 0)).toBeTypeOf('function');
      });

      test('passes over a turn that never commits once its lock ttl is over', async ({ store }) => {
        const conv = uniqueName('conv');
        await started(begin(store, conv, undefined, { lockTtlMs: 300 }));
        const since = Date.now();
        const next = await store.locks.acquire(conv, 10_000, 5_000);
        expect(next).toBeTypeOf('function');
        expect(Date.now() - since).toBeGreaterThanOrEqual(250);
        await next?.();
      });
    });

    describe('keyed values', () => {
      test('gets, overwrites, expires and deletes values', async ({ store }) => {
        const key = uniqueName('value');
        expect(await store.keyed.get(key)).toBeUndefined();
        await store.keyed.set(key, 'one', 60);
        await store.keyed.set(key, 'two', SHORT_TTL_S);
        expect(await store.keyed.get(key)).toBe('two');
        await sleep(PAST_SHORT_TTL_MS);
        expect(await store.keyed.get(key)).toBeUndefined();
        await store.keyed.set(key, 'three', 60);
        await store.keyed.delete(key);
        expect(await store.keyed.get(key)).toBeUndefined();
      });

      test('counts up from 1', async ({ store }) => {
        const key = uniqueName('count');
        expect(await store.keyed.increment(key, 60)).toBe(1);
        expect(await store.keyed.increment(key, 60)).toBe(2);
        expect(await Promise.all([store.keyed.increment(key, 60), store.keyed.increment(key, 60)])).toEqual(
          expect.arrayContaining([3, 4]),
        );
        expect(await store.keyed.get(key)).toBe('4');
      });

      test('expires a counter ttl after its first increment, however often it is incremented', async ({ store }) => {
        const key = uniqueName('count');
        expect(await store.keyed.increment(key, 0.6)).toBe(1);
        await sleep(400);
        expect(await store.keyed.increment(key, 0.6)).toBe(2);
        // Past the first window, well before a window counted from the second increment.
        await sleep(400);
        expect(await store.keyed.get(key)).toBeUndefined();
        expect(await store.keyed.increment(key, 60)).toBe(1);
      });
    });

    describe('what is kept about a user', () => {
      test('finds every kind of key naming the user, and never hands out a token', async ({ store }) => {
        const id = `+1${uniqueName('u')}`;
        const kept = await keepUser(store, id);
        const found = await store.users.find([`twilio:sms:${id}`, `twilio:phone:${id}`]);
        expect(found.sessions.map((s) => [s.conversation, s.session])).toEqual(
          expect.arrayContaining([
            [`twilio:sms:${id}`, { value: '{"at":"sms"}', version: 1 }],
            [`twilio:phone:${id}:phone%3ACA1`, { value: '{"at":"call"}', version: 1 }],
          ]),
        );
        expect(found.sessions).toHaveLength(2);
        expect(found.sessions[0]!.expiresInSeconds).toBeGreaterThan(50);
        expect(found.sessions[0]!.expiresInSeconds).toBeLessThanOrEqual(60);
        expect(found.tokens.map((t) => [t.key, t.account]).sort()).toEqual([
          [`bot:acme:c:twilio:phone:${id}:phone%3ACA1:1700000000000`, 'ada'],
          [`bot:acme:u:twilio:sms:${id}`, 'ada'],
        ]);
        expect(JSON.stringify(found)).not.toContain(kept.token);
        expect(found.keyed.map((k) => [k.key, k.value]).sort()).toEqual([
          [`authfail:bot:acme:twilio:sms:${id}`, '2'],
          [`voice:bot:twilio:phone:${id}:phone%3ACA1:prompt`, '{}'],
        ]);
        // The two deliveries (with their answers) and the replay mark of one.
        expect(found.others).toBe(3);
        // Another spelling of the user names other keys.
        expect((await store.users.find([`meta:sms:${id}`])).sessions).toEqual([]);
      });

      test('tells apart users whose ids begin alike, and other authorities', async ({ store }) => {
        const id = `+1${uniqueName('u')}`;
        await keepUser(store, id);
        await keepUser(store, `${id}9`);
        await write(store, `unverified:sms:${id}`, '{"at":"unverified"}', 0);
        expect((await store.users.find([`twilio:sms:${id}`])).sessions.map((s) => s.conversation)).toEqual([`twilio:sms:${id}`]);
        expect((await store.users.find([`twilio:sms:${id}`, `unverified:sms:${id}`])).sessions.map((s) => s.conversation).sort()).toEqual([
          `twilio:sms:${id}`,
          `unverified:sms:${id}`,
        ]);
      });

      test('erases every key naming the user and nothing else', async ({ store }) => {
        const id = `+1${uniqueName('u')}`;
        const other = `${id}9`;
        await keepUser(store, id);
        await keepUser(store, other);
        const users = [`twilio:sms:${id}`, `twilio:phone:${id}`];
        // 2 sessions, 2 tokens, 2 keyed values, 2 deliveries and a replay mark.
        expect(await store.users.erase(users)).toBe(9);
        expect(await store.users.find(users)).toEqual({ sessions: [], tokens: [], keyed: [], others: 0 });
        expect(await store.sessions.get(`twilio:sms:${id}`)).toBeUndefined();
        expect(await store.tokens.get(`bot:acme:u:twilio:sms:${id}`)).toBeUndefined();
        expect(await store.turns.delivery(`twilio:sms:${id}`, 'twilio:SM1')).toEqual({ kind: 'unknown' });
        // A retry of an erased delivery runs again rather than being refused as a replay.
        expect((await store.turns.begin(`twilio:sms:${id}`, { delivery: 'twilio:SM1', deliveryTtlSeconds: 60, lockTtlMs: 1_000 })).kind).toBe('started');
        const kept = await store.users.find([`twilio:sms:${other}`, `twilio:phone:${other}`]);
        expect([kept.sessions.length, kept.tokens.length, kept.keyed.length, kept.others]).toEqual([2, 2, 2, 3]);
        expect(await store.users.erase(users.map((user) => `${user}-nobody`))).toBe(0);
      });

      test('finds ids with escaped characters by their escaped key', async ({ store }) => {
        const user = `botframework:web:29%3A${uniqueName('x')}`;
        await store.tokens.set(`bot:acme:u:${user}`, { token: 'tok', account: 'ada' }, 60);
        await store.tokens.set(`bot:acme:u:${user}%3Aother`, { token: 'tok', account: 'bob' }, 60);
        expect((await store.users.find([user])).tokens.map((t) => t.account)).toEqual(['ada']);
      });
    });
  });
}

/**
 * Keeps what Parley keeps about a user who texted and called: sessions of an SMS thread and of a
 * call, a token of each scope, a back-off counter, a call's scratch value, and two deliveries.
 */
async function keepUser(store: Store, id: string): Promise<{ token: string }> {
  const sms = `twilio:sms:${id}`;
  const call = `twilio:phone:${id}:phone%3ACA1`;
  const token = `tok-${uniqueName('secret')}`;
  for (const [conversation, value, delivery] of [[sms, '{"at":"sms"}', 'twilio:SM1'], [call, '{"at":"call"}', 'twilio-call:CA1:0']] as const) {
    const begun = await store.turns.begin(conversation, { delivery, deliveryTtlSeconds: 60, ...(conversation === sms ? { replayTtlSeconds: 120 } : {}), lockTtlMs: 10_000 });
    if (begun.kind !== 'started') throw new Error(begun.kind);
    await store.turns.commit(conversation, { owner: begun.owner, expected: 0, session: { value, ttlSeconds: 60 }, delivery: { id: delivery, answer: '{}', ttlSeconds: 60 } });
  }
  await store.tokens.set(`bot:acme:u:${sms}`, { token, account: 'ada' }, 600);
  await store.tokens.set(`bot:acme:c:${call}:1700000000000`, { token, account: 'ada' }, 600);
  await store.keyed.increment(`authfail:bot:acme:${sms}`, 600);
  await store.keyed.increment(`authfail:bot:acme:${sms}`, 600);
  await store.keyed.set(`voice:bot:${call}:prompt`, '{}', 600);
  return { token };
}
