// The store contract: everything a conversation keeps between turns, behind one interface so
// the embedded memory store and Redis are interchangeable. One contract test suite
// (test/stores/store-contract.ts) runs against both. TTLs in seconds may be fractional; both
// stores keep them to the millisecond.

/** A session as stored, with the version used for the optimistic check on write. */
export interface Versioned {
  value: string;
  version: number;
}

export interface SessionStore {
  /** The session JSON of a conversation, or undefined. */
  get(conversation: string): Promise<Versioned | undefined>;
  /**
   * Writes the session when its stored version is still `expected` (0: none stored), and keeps
   * it `ttlSeconds`. Returns the new version, or false when another writer came first.
   * A session that expired or was deleted counts as none stored: versions start again at 1.
   */
  set(conversation: string, value: string, expected: number, ttlSeconds: number): Promise<number | false>;
  delete(conversation: string): Promise<void>;
}

export interface TokenRecord {
  token: string;
  account: string;
}

export interface TokenStore {
  /** Undefined also when the stored record cannot be opened (TOKEN_ENCRYPTION_KEY changed). */
  get(key: string): Promise<TokenRecord | undefined>;
  /** Keeps the token `ttlSeconds`; the store itself expires it (Redis: PX). */
  set(key: string, record: TokenRecord, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Per-conversation mutual exclusion across processes. Waiters are served in the order they
 * called acquire; a holder that has not released after `ttlMs` loses the lock to the next.
 * Name the lock after the conversation, so on Redis it shares the session's Cluster slot.
 */
export interface Locks {
  /**
   * Waits (up to `waitMs`) for the lock of `name`, held at most `ttlMs`; returns a release
   * function, or undefined when it could not be had in time. Releasing twice, or after the
   * lock has passed to another holder, does nothing.
   */
  acquire(name: string, ttlMs: number, waitMs: number): Promise<(() => Promise<void>) | undefined>;
}

/** Small keyed values with a TTL: webhook de-duplication, failure counters for back-off. */
export interface Keyed {
  /** Sets `key` only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Increments a counter, creating it with `ttlSeconds`; returns the new count. The TTL runs
   * from the increment that created the counter: later ones do not extend it.
   */
  increment(key: string, ttlSeconds: number): Promise<number>;
  delete(key: string): Promise<void>;
}

export interface Store {
  sessions: SessionStore;
  tokens: TokenStore;
  locks: Locks;
  keyed: Keyed;
  /** Resolves when the backing service answers (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
