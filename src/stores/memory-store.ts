// The embedded store: everything in this process. It is the reference for the contract (the
// Redis store must behave the same) and the default when no Redis is configured, so it stays
// small: one Map per kind of value, expiry checked lazily on read, plus a rare sweep so keys
// nobody reads again do not pile up.
import type { Keyed, Locks, SessionStore, Store, TokenStore, Versioned } from './store.js';
import { openTokenRecord, sealTokenRecord, type TokenCipher } from './token-cipher.js';

export interface MemoryStoreOptions {
  /** Seals tokens in memory too, so a heap dump does not hold them in clear. */
  cipher?: TokenCipher;
  /** The clock for value expiry (sessions, tokens, keyed); locks run on timers. */
  now?: () => number;
}

interface Expiring {
  value: string;
  expiresAt: number;
}

interface SessionEntry extends Expiring {
  version: number;
}

const SWEEP_INTERVAL_MS = 60_000;

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const cipher = options.cipher;
  const sessionMap = new Map<string, SessionEntry>();
  const tokenMap = new Map<string, Expiring>();
  const keyedMap = new Map<string, Expiring>();

  function live<E extends Expiring>(map: Map<string, E>, key: string): E | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  function sweep(): void {
    const t = now();
    for (const map of [sessionMap, tokenMap, keyedMap] as Map<string, Expiring>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= t) map.delete(key);
    }
  }
  // unref: an idle sweep must never be what keeps a CLI or a test process alive.
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const sessions: SessionStore = {
    async get(conversation): Promise<Versioned | undefined> {
      const entry = live(sessionMap, conversation);
      return entry && { value: entry.value, version: entry.version };
    },
    async set(conversation, value, expected, ttlSeconds) {
      const current = live(sessionMap, conversation)?.version ?? 0;
      if (current !== expected) return false;
      const version = current + 1;
      sessionMap.set(conversation, { value, version, expiresAt: expiryOf(now(), ttlSeconds) });
      return version;
    },
    async delete(conversation) {
      sessionMap.delete(conversation);
    },
  };

  const tokens: TokenStore = {
    async get(key) {
      const entry = live(tokenMap, key);
      if (entry === undefined) return undefined;
      return openTokenRecord(entry.value, cipher);
    },
    async set(key, record, ttlSeconds) {
      tokenMap.set(key, { value: sealTokenRecord(record, cipher), expiresAt: expiryOf(now(), ttlSeconds) });
    },
    async delete(key) {
      tokenMap.delete(key);
    },
  };

  const keyed: Keyed = {
    async setIfAbsent(key, value, ttlSeconds) {
      if (live(keyedMap, key) !== undefined) return false;
      keyedMap.set(key, { value, expiresAt: expiryOf(now(), ttlSeconds) });
      return true;
    },
    async get(key) {
      return live(keyedMap, key)?.value;
    },
    async set(key, value, ttlSeconds) {
      keyedMap.set(key, { value, expiresAt: expiryOf(now(), ttlSeconds) });
    },
    async increment(key, ttlSeconds) {
      const entry = live(keyedMap, key);
      if (entry === undefined) {
        keyedMap.set(key, { value: '1', expiresAt: expiryOf(now(), ttlSeconds) });
        return 1;
      }
      // Like Redis INCR: the window set when the counter was created is kept.
      const count = Number.parseInt(entry.value, 10);
      if (!Number.isSafeInteger(count)) throw new Error(`keyed value ${key} is not a counter`);
      entry.value = String(count + 1);
      return count + 1;
    },
    async delete(key) {
      keyedMap.delete(key);
    },
  };

  return {
    sessions,
    tokens,
    locks: createMemoryLocks(),
    keyed,
    async ping() {},
    async close() {
      clearInterval(sweeper);
    },
  };
}

// setTimeout fires at once for anything above 2^31-1 ms (about 24.8 days); cap it there instead.
function timerMs(ms: number): number {
  return Math.min(Math.max(1, Math.round(ms)), 2 ** 31 - 1);
}

function expiryOf(at: number, ttlSeconds: number): number {
  return at + Math.max(1, Math.round(ttlSeconds * 1000));
}

type Release = () => Promise<void>;

interface Waiter {
  ttlMs: number;
  grant(release: Release): void;
  timer: NodeJS.Timeout | undefined;
}

interface HeldLock {
  owner: number;
  lease: NodeJS.Timeout | undefined;
  queue: Waiter[];
}

/** Locks in one process: a FIFO queue per name, and a lease timer that frees a forgotten lock. */
function createMemoryLocks(): Locks {
  const held = new Map<string, HeldLock>();
  let lastOwner = 0;

  function take(name: string, lock: HeldLock, ttlMs: number): Release {
    const owner = ++lastOwner;
    lock.owner = owner;
    // unref: a lock nobody waits for must not keep the process alive until its lease ends.
    lock.lease = setTimeout(() => handOver(name, lock, owner), timerMs(ttlMs));
    lock.lease.unref();
    return async () => handOver(name, lock, owner);
  }

  // Called on release and when the lease runs out; a stale owner (already replaced) is ignored.
  function handOver(name: string, lock: HeldLock, owner: number): void {
    if (held.get(name) !== lock || lock.owner !== owner) return;
    clearTimeout(lock.lease);
    const next = lock.queue.shift();
    if (next === undefined) {
      held.delete(name);
      return;
    }
    clearTimeout(next.timer);
    next.grant(take(name, lock, next.ttlMs));
  }

  return {
    async acquire(name, ttlMs, waitMs) {
      const current = held.get(name);
      if (current === undefined) {
        const lock: HeldLock = { owner: 0, lease: undefined, queue: [] };
        held.set(name, lock);
        return take(name, lock, ttlMs);
      }
      if (waitMs <= 0) return undefined;
      return new Promise<Release | undefined>((resolve) => {
        const waiter: Waiter = { ttlMs, grant: resolve, timer: undefined };
        waiter.timer = setTimeout(() => {
          const at = current.queue.indexOf(waiter);
          if (at >= 0) current.queue.splice(at, 1);
          resolve(undefined);
        }, timerMs(waitMs));
        current.queue.push(waiter);
      });
    },
  };
}
