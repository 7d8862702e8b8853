// The embedded store: everything in this process. It is the reference for the contract (the
// Redis store must behave the same) and the default when no Redis is configured, so it stays
// small: one Map per kind of value, expiry checked lazily on read, plus a rare sweep so keys
// nobody reads again do not pile up.
import type { Keyed, LockRelease, Locks, SessionStore, Store, TokenStore, Turns, UserData, UserRecords, Versioned } from './store.js';
import { namesUser } from './user-match.js';
import { openTokenRecord, sealTokenRecord, type Cipher } from './cipher.js';

export interface MemoryStoreOptions {
  /** Seals tokens in memory too, so a heap dump does not hold them in clear. */
  cipher?: Cipher;
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

interface DeliveryEntry {
  /** Undefined while the turn that claimed the delivery runs. */
  answer: string | undefined;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const cipher = options.cipher;
  const sessionMap = new Map<string, SessionEntry>();
  const tokenMap = new Map<string, Expiring>();
  const keyedMap = new Map<string, Expiring>();
  const deliveryMap = new Map<string, DeliveryEntry>();
  // Delivery ids that ran, kept after their answers for `replayTtlSeconds`.
  const replayMap = new Map<string, { expiresAt: number }>();
  // A delivery id is the platform's: it is kept per conversation, as on Redis.
  const deliveryKey = (conversation: string, delivery: string) => JSON.stringify([conversation, delivery]);

  function live<E extends { expiresAt: number }>(map: Map<string, E>, key: string): E | undefined {
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
    for (const map of [sessionMap, tokenMap, keyedMap, deliveryMap, replayMap] as Map<string, { expiresAt: number }>[]) {
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

  const locks = createMemoryLocks();

  // Nothing here awaits between reading and writing, so each call is as atomic as a Redis script.
  const turns: Turns = {
    async begin(conversation, { delivery, deliveryTtlSeconds, replayTtlSeconds, lockTtlMs }) {
      if (delivery !== undefined) {
        const key = deliveryKey(conversation, delivery);
        if (live(deliveryMap, key) !== undefined) return { kind: 'duplicate' };
        if (live(replayMap, key) !== undefined) return { kind: 'replay' };
        deliveryMap.set(key, { answer: undefined, expiresAt: expiryOf(now(), deliveryTtlSeconds) });
        if (replayTtlSeconds !== undefined) replayMap.set(key, { expiresAt: expiryOf(now(), replayTtlSeconds) });
      }
      const owner = locks.takeIfFree(conversation, lockTtlMs);
      if (owner === undefined) return { kind: 'busy' };
      const entry = live(sessionMap, conversation);
      return { kind: 'started', owner, session: entry && { value: entry.value, version: entry.version } };
    },
    async commit(conversation, { owner, expected, session, delivery }) {
      const current = live(sessionMap, conversation)?.version ?? 0;
      const written = current === expected;
      if (written) {
        if (session === 'delete') sessionMap.delete(conversation);
        else sessionMap.set(conversation, { value: session.value, version: current + 1, expiresAt: expiryOf(now(), session.ttlSeconds) });
      }
      if (owner !== undefined) locks.releaseBy(conversation, owner);
      if (delivery !== undefined) {
        deliveryMap.set(deliveryKey(conversation, delivery.id), { answer: delivery.answer, expiresAt: expiryOf(now(), delivery.ttlSeconds) });
      }
      return written;
    },
    async abandon(conversation, { owner, delivery }) {
      if (owner !== undefined) locks.releaseBy(conversation, owner);
      if (delivery !== undefined) {
        deliveryMap.delete(deliveryKey(conversation, delivery));
        replayMap.delete(deliveryKey(conversation, delivery));
      }
    },
    async renew(conversation, owner, ttlMs) {
      return locks.renew(conversation, owner, ttlMs);
    },
    async delivery(conversation, delivery) {
      const entry = live(deliveryMap, deliveryKey(conversation, delivery));
      if (entry === undefined) return { kind: 'unknown' };
      return entry.answer === undefined ? { kind: 'running' } : { kind: 'answered', answer: entry.answer };
    },
  };

  // A delivery's key is [conversation, id]: it names whom its conversation names.
  const deliveryNames = (key: string, names: (key: string) => boolean) => names((JSON.parse(key) as [string, string])[0]);
  const secondsLeft = (entry: { expiresAt: number }) => Math.max(0, (entry.expiresAt - now()) / 1000);

  const users: UserRecords = {
    async find(wanted, scope) {
      const names = namesUser(wanted, scope);
      const found: UserData = { sessions: [], tokens: [], keyed: [], others: 0 };
      for (const [conversation, entry] of sessionMap) {
        if (names(conversation) && live(sessionMap, conversation) !== undefined) {
          found.sessions.push({ conversation, session: { value: entry.value, version: entry.version }, expiresInSeconds: secondsLeft(entry) });
        }
      }
      for (const [key, entry] of tokenMap) {
        if (names(key) && live(tokenMap, key) !== undefined) found.tokens.push({ key, account: openTokenRecord(entry.value, cipher)?.account, expiresInSeconds: secondsLeft(entry) });
      }
      for (const [key, entry] of keyedMap) {
        if (names(key) && live(keyedMap, key) !== undefined) found.keyed.push({ key, value: entry.value, expiresInSeconds: secondsLeft(entry) });
      }
      for (const map of [deliveryMap, replayMap] as Map<string, { expiresAt: number }>[]) {
        for (const key of map.keys()) if (deliveryNames(key, names) && live(map, key) !== undefined) found.others++;
      }
      return found;
    },
    async erase(wanted, scope) {
      const names = namesUser(wanted, scope);
      let erased = 0;
      for (const map of [sessionMap, tokenMap, keyedMap] as Map<string, { expiresAt: number }>[]) {
        for (const key of [...map.keys()]) if (names(key) && live(map, key) !== undefined && map.delete(key)) erased++;
      }
      for (const map of [deliveryMap, replayMap] as Map<string, { expiresAt: number }>[]) {
        for (const key of [...map.keys()]) if (deliveryNames(key, names) && live(map, key) !== undefined && map.delete(key)) erased++;
      }
      return erased;
    },
  };

  return {
    sessions,
    tokens,
    locks,
    keyed,
    turns,
    users,
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

type Release = LockRelease;

interface Waiter {
  ttlMs: number;
  grant(release: Release): void;
  timer: NodeJS.Timeout | undefined;
}

interface HeldLock {
  owner: string;
  lease: NodeJS.Timeout | undefined;
  queue: Waiter[];
}

interface MemoryLocks extends Locks {
  /** Takes the lock of `name` for a new owner, only when nobody holds it (so nobody waits either). */
  takeIfFree(name: string, ttlMs: number): string | undefined;
  /** Releases the lock of `name` if `owner` still holds it. */
  releaseBy(name: string, owner: string): void;
  /** Extends the lease of `owner` on `name`; false when it no longer holds it. */
  renew(name: string, owner: string, ttlMs: number): boolean;
}

/** Locks in one process: a FIFO queue per name, and a lease timer that frees a forgotten lock. */
function createMemoryLocks(): MemoryLocks {
  const held = new Map<string, HeldLock>();
  let lastOwner = 0;

  function take(name: string, lock: HeldLock, ttlMs: number): string {
    // Owners are unique in the process, so an owner names one holding of one lock.
    const owner = String(++lastOwner);
    lock.owner = owner;
    // unref: a lock nobody waits for must not keep the process alive until its lease ends.
    lock.lease = setTimeout(() => handOver(name, owner), timerMs(ttlMs));
    lock.lease.unref();
    return owner;
  }

  function takeIfFree(name: string, ttlMs: number): string | undefined {
    if (held.has(name)) return undefined;
    const lock: HeldLock = { owner: '', lease: undefined, queue: [] };
    held.set(name, lock);
    return take(name, lock, ttlMs);
  }

  function releaseOf(name: string, owner: string): Release {
    return Object.assign(async () => handOver(name, owner), { owner });
  }

  function renew(name: string, owner: string, ttlMs: number): boolean {
    const lock = held.get(name);
    if (lock === undefined || lock.owner !== owner) return false;
    clearTimeout(lock.lease);
    lock.lease = setTimeout(() => handOver(name, owner), timerMs(ttlMs));
    lock.lease.unref();
    return true;
  }

  // Called on release and when the lease runs out; a stale owner (already replaced) is ignored.
  function handOver(name: string, owner: string): void {
    const lock = held.get(name);
    if (lock === undefined || lock.owner !== owner) return;
    clearTimeout(lock.lease);
    const next = lock.queue.shift();
    if (next === undefined) {
      held.delete(name);
      return;
    }
    clearTimeout(next.timer);
    const nextOwner = take(name, lock, next.ttlMs);
    next.grant(releaseOf(name, nextOwner));
  }

  return {
    takeIfFree,
    renew,
    releaseBy: handOver,
    async acquire(name, ttlMs, waitMs) {
      const owner = takeIfFree(name, ttlMs);
      if (owner !== undefined) return releaseOf(name, owner);
      const current = held.get(name);
      if (current === undefined || waitMs <= 0) return undefined;
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
