import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, rerunnableScripts } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { createCipher } from '../../src/stores/cipher.js';
import { dumpKeys, rawRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';
import { describeStoreContract, sleep, uniqueName, write } from './store-contract.js';

describeStoreContract('redis', async () => createRedisStore({ url: testRedisUrl(), prefix: testKeyPrefix('contract') }));

const raw = rawRedis();
afterAll(async () => {
  await raw.quit();
});

describe('redis store at rest', () => {
  it('keeps a conversation’s session and lock under one hash tag', async () => {
    const prefix = testKeyPrefix('layout');
    const store = createRedisStore({ url: testRedisUrl(), prefix });
    try {
      await write(store, 'conv-1', '{"a":1}', 0);
      const release = await store.locks.acquire('conv-1', 10_000, 0);
      await store.tokens.set('google:user-1', { token: 't', account: 'a' }, 60);
      await store.keyed.set('twilio:SM123', '1', 60);
      const keys = [...(await dumpKeys(raw, prefix)).keys()].filter((key) => key !== `${prefix}:epoch`).sort();
      expect(keys).toEqual([
        `${prefix}:k:twilio:SM123`,
        `${prefix}:t:google:user-1`,
        `${prefix}:{conv-1}:lock:o`,
        `${prefix}:{conv-1}:s`,
      ]);
      expect(await raw.get(`${prefix}:{conv-1}:s`)).toBe('1|{"a":1}');
      await release?.();
    } finally {
      await store.close();
    }
  });

  it('keeps a turn’s delivery under the conversation’s hash tag, so its scripts run on a Cluster', async () => {
    const prefix = testKeyPrefix('turn-layout');
    const store = createRedisStore({ url: testRedisUrl(), prefix });
    try {
      const begun = await store.turns.begin('conv-1', { delivery: 'twilio:SM1', deliveryTtlSeconds: 120, lockTtlMs: 10_000 });
      if (begun.kind !== 'started') throw new Error(begun.kind);
      expect([...(await dumpKeys(raw, `${prefix}:{`)).keys()].sort()).toEqual([`${prefix}:{conv-1}:d:twilio:SM1`, `${prefix}:{conv-1}:lock:o`]);
      await store.turns.commit('conv-1', {
        owner: begun.owner,
        expected: 0,
        session: { value: '{"a":1}', ttlSeconds: 60 },
        delivery: { id: 'twilio:SM1', answer: '{"replies":[]}', ttlSeconds: 120 },
      });
      expect(Object.fromEntries(await dumpKeys(raw, `${prefix}:{`))).toEqual({
        [`${prefix}:{conv-1}:d:twilio:SM1`]: '={"replies":[]}',
        [`${prefix}:{conv-1}:s`]: '1|{"a":1}',
      });
      const ttl = await raw.pttl(`${prefix}:{conv-1}:d:twilio:SM1`);
      expect(ttl).toBeGreaterThan(115_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    } finally {
      await store.close();
    }
  });

  it('lets Redis expire tokens (PX) rather than the reader', async () => {
    const prefix = testKeyPrefix('ttl');
    const store = createRedisStore({ url: testRedisUrl(), prefix });
    try {
      await store.tokens.set('k', { token: 't', account: 'a' }, 90);
      const ttl = await raw.pttl(`${prefix}:t:k`);
      expect(ttl).toBeGreaterThan(85_000);
      expect(ttl).toBeLessThanOrEqual(90_000);
    } finally {
      await store.close();
    }
  });

  it('with a cipher, stores no token in clear and gives it back decrypted', async () => {
    const prefix = testKeyPrefix('cipher');
    const token = `ya29.${uniqueName('secret')}`;
    const account = `${uniqueName('someone')}@example.com`;
    const store = createRedisStore({
      url: testRedisUrl(),
      prefix,
      cipher: createCipher(Buffer.alloc(32, 3).toString('base64')),
    });
    try {
      await store.tokens.set('google:user', { token, account }, 60);
      const everything = await dumpKeys(raw);
      expect(everything.has(`${prefix}:t:google:user`)).toBe(true);
      for (const [key, content] of everything) {
        expect(key).not.toContain(token);
        expect(content).not.toContain(token);
        expect(content).not.toContain(account);
      }
      expect(await store.tokens.get('google:user')).toEqual({ token, account });
    } finally {
      await store.close();
    }
  });

  it('without a cipher, stores the token as it is (which the check above would catch)', async () => {
    const prefix = testKeyPrefix('clear');
    const token = uniqueName('visible');
    const store = createRedisStore({ url: testRedisUrl(), prefix });
    try {
      await store.tokens.set('k', { token, account: 'a' }, 60);
      expect(await raw.get(`${prefix}:t:k`)).toContain(token);
    } finally {
      await store.close();
    }
  });

  it('reads a token sealed under another key, or altered, as absent', async () => {
    const prefix = testKeyPrefix('rekey');
    const before = createRedisStore({ url: testRedisUrl(), prefix, cipher: createCipher(Buffer.alloc(32, 1).toString('base64')) });
    const after = createRedisStore({ url: testRedisUrl(), prefix, cipher: createCipher(Buffer.alloc(32, 2).toString('base64')) });
    try {
      await before.tokens.set('k', { token: 't', account: 'a' }, 60);
      expect(await after.tokens.get('k')).toBeUndefined();
      await raw.set(`${prefix}:t:k2`, 'v1.not-really-sealed');
      expect(await before.tokens.get('k2')).toBeUndefined();
    } finally {
      await before.close();
      await after.close();
    }
  });
});

describe('redis locks across connections', () => {
  // Two stores are two connections, as two server instances sharing one Redis would be.
  let one: Store;
  let two: Store;
  let prefix: string;
  beforeAll(() => {
    prefix = testKeyPrefix('locks');
    one = createRedisStore({ url: testRedisUrl(), prefix });
    two = createRedisStore({ url: testRedisUrl(), prefix });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  it('serves waiters from both connections in the order they asked', async () => {
    const lock = uniqueName('conv');
    const holder = await one.locks.acquire(lock, 10_000, 0);
    const order: string[] = [];
    const waiters: Promise<void>[] = [];
    const callers: [string, Store][] = [
      ['two-a', two],
      ['one-a', one],
      ['two-b', two],
      ['one-b', one],
      ['one-c', one],
      ['two-c', two],
    ];
    for (const [label, store] of callers) {
      waiters.push(
        store.locks.acquire(lock, 10_000, 10_000).then(async (release) => {
          if (release === undefined) throw new Error(`${label} was not granted the lock`);
          order.push(label);
          await sleep(3);
          await release();
        }),
      );
      await sleep(20);
    }
    await holder?.();
    await Promise.all(waiters);
    expect(order).toEqual(callers.map(([label]) => label));
  });

  it('keeps holders on two connections out of each other’s way', async () => {
    const lock = uniqueName('conv');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const release = await (i % 2 === 0 ? one : two).locks.acquire(lock, 10_000, 15_000);
        if (release === undefined) throw new Error('lock not granted');
        inside++;
        most = Math.max(most, inside);
        await sleep(5);
        inside--;
        await release();
      }),
    );
    expect(most).toBe(1);
  });

  it('passes over a holder whose process died, once its ttl is over', async () => {
    const lock = uniqueName('conv');
    const doomed = createRedisStore({ url: testRedisUrl(), prefix });
    expect(await doomed.locks.acquire(lock, 400, 0)).toBeDefined();
    await doomed.close();
    const started = Date.now();
    const release = await one.locks.acquire(lock, 10_000, 5_000);
    expect(release).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await release?.();
  });

  it('drops a waiter whose process died, so those behind it are not held up', async () => {
    const lock = uniqueName('conv');
    const holder = await one.locks.acquire(lock, 10_000, 0);
    const doomed = createRedisStore({ url: testRedisUrl(), prefix });
    const lost = doomed.locks.acquire(lock, 10_000, 30_000).catch(() => 'connection gone');
    await sleep(30);
    const behind = two.locks.acquire(lock, 10_000, 10_000);
    await sleep(30);
    // Like a crash: the connection goes away without the waiter leaving the queue.
    await doomed.close();
    expect(await lost).toBe('connection gone');
    await holder?.();
    const release = await behind;
    expect(release).toBeDefined();
    await release?.();
  });

  it('does nothing when someone who does not hold the lock releases it', async () => {
    const lock = uniqueName('conv');
    const stale = await one.locks.acquire(lock, 200, 0);
    const current = await two.locks.acquire(lock, 10_000, 5_000);
    expect(current).toBeDefined();
    await stale?.();
    expect(await one.locks.acquire(lock, 10_000, 100)).toBeUndefined();
    await current?.();
  });

  it('leaves no queue behind once everyone is served', async () => {
    const lock = uniqueName('conv');
    const holder = await one.locks.acquire(lock, 10_000, 0);
    const waiter = two.locks.acquire(lock, 10_000, 5_000);
    const quitter = two.locks.acquire(lock, 10_000, 50);
    expect(await quitter).toBeUndefined();
    await holder?.();
    await (await waiter)?.();
    expect([...(await dumpKeys(raw, `${prefix}:{${lock}}`)).keys()]).toEqual([]);
  });
});

describe('redis store when Redis is gone', () => {
  it('fails ping and requests within a few seconds instead of hanging', async () => {
    const port = await closedPort();
    const store = createRedisStore({ url: `redis://127.0.0.1:${port}`, prefix: testKeyPrefix('dead') });
    try {
      let started = Date.now();
      await expect(store.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      started = Date.now();
      await expect(store.sessions.get('conv')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await store.close();
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// When a master dies between running a script and answering, ioredis sends the same command
// again to the replica that took over; if the first run had been replicated, the second finds
// its effects. It must answer as the first did, not take its own claim for someone else's.
describe('redis scripts run twice with the same arguments (a command resent after a failover)', () => {
  const { LOCK_TRY, TURN_BEGIN, TURN_COMMIT } = rerunnableScripts;
  const keys = (prefix: string) => ({
    delivery: `${prefix}:{c}:d:SM1`,
    lease: `${prefix}:{c}:lock:o`,
    queue: `${prefix}:{c}:lock:q`,
    waiters: `${prefix}:{c}:lock:w`,
    session: `${prefix}:{c}:s`,
    replay: `${prefix}:{c}:r:SM1`,
  });

  it('begins the same turn again: started, not a duplicate of itself, nor busy with its own lock', async () => {
    const k = keys(testKeyPrefix('rerun-begin'));
    await raw.set(k.session, '1|before');
    const begin = (owner: string) => raw.eval(TURN_BEGIN, 5, k.delivery, k.lease, k.queue, k.session, k.replay, owner, 10_000, 60_000, 120_000);
    expect(await begin('owner-1')).toEqual([2, '1|before']);
    expect(await begin('owner-1')).toEqual([2, '1|before']);
    expect(await begin('owner-2')).toEqual([0]);
    expect(await raw.get(k.delivery)).toBe('owner-1');
  });

  it('commits the same turn again: written, and the session is written once', async () => {
    const k = keys(testKeyPrefix('rerun-commit'));
    await raw.set(k.session, '1|before');
    await raw.set(k.lease, 'owner-1');
    const commit = () => raw.eval(TURN_COMMIT, 3, k.session, k.lease, k.delivery, 'owner-1', 1, 60_000, 'after', 60_000, '{"replies":[]}');
    expect(await commit()).toBe(1);
    expect(await commit()).toBe(1);
    expect(await raw.get(k.session)).toBe('2|after');
    expect(await raw.get(k.delivery)).toBe('={"replies":[]}');
  });

  it('takes the same lock again: held, rather than queued behind itself until the lease runs out', async () => {
    const k = keys(testKeyPrefix('rerun-lock'));
    const take = () => raw.eval(LOCK_TRY, 3, k.lease, k.queue, k.waiters, 'waiter-1', 10_000, 2_000, '1');
    expect(await take()).toBe(1);
    expect(await take()).toBe(1);
    expect(await raw.llen(k.queue)).toBe(0);
  });
});
