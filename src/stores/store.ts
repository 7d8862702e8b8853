// The store contract: everything a conversation keeps between turns, behind one interface so
// the embedded memory store and Redis are interchangeable. One contract test suite
// (test/stores/store-contract.ts) runs against both.

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
   */
  set(conversation: string, value: string, expected: number, ttlSeconds: number): Promise<number | false>;
  delete(conversation: string): Promise<void>;
}

export interface TokenRecord {
  token: string;
  account: string;
}

export interface TokenStore {
  get(key: string): Promise<TokenRecord | undefined>;
  /** Keeps the token `ttlSeconds`; the store itself expires it (Redis: PX). */
  set(key: string, record: TokenRecord, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Per-conversation mutual exclusion across processes. */
export interface Locks {
  /**
   * Waits (up to `waitMs`) for the lock of `name`, held at most `ttlMs`; returns a release
   * function, or undefined when it could not be had in time.
   */
  acquire(name: string, ttlMs: number, waitMs: number): Promise<(() => Promise<void>) | undefined>;
}

/** Small keyed values with a TTL: webhook de-duplication, failure counters for back-off. */
export interface Keyed {
  /** Sets `key` only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Increments a counter, creating it with `ttlSeconds`; returns the new count. */
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
