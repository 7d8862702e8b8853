// The store contract: everything a conversation keeps between turns, behind one interface so
// the embedded memory store and Redis are interchangeable. One contract test suite
// (test/stores/store-contract.ts) runs against both. TTLs in seconds may be fractional; both
// stores keep them to the millisecond.

/** A session as stored, with the version used for the optimistic check on write. */
export interface Versioned {
  value: string;
  version: number;
}

/**
 * Sessions are read here; they are written only by `turns.commit`, in the same round trip that
 * releases the turn's lock. A session that expired or was deleted counts as none stored:
 * versions start again at 1.
 */
export interface SessionStore {
  /** The session JSON of a conversation, or undefined. */
  get(conversation: string): Promise<Versioned | undefined>;
}

export interface TokenRecord {
  token: string;
  account: string;
  /** OAuth: the refresh token, kept (sealed, like the rest) beside the access token and used once. */
  refresh?: string;
  /** When the access token itself expires (epoch ms), when the record outlives it to keep `refresh`. */
  expiresAt?: number;
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
  acquire(name: string, ttlMs: number, waitMs: number): Promise<LockRelease | undefined>;
}

/** Releases a held lock; `owner` names the holding, for `turns.renew` and `turns.commit`. */
export type LockRelease = (() => Promise<void>) & { readonly owner: string };

/** Small keyed values with a TTL: failure counters for back-off, what a phone call keeps between requests. */
export interface Keyed {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Increments a counter, creating it with `ttlSeconds`; returns the new count. The TTL runs
   * from the increment that created the counter: later ones do not extend it.
   */
  increment(key: string, ttlSeconds: number): Promise<number>;
  delete(key: string): Promise<void>;
}

export interface TurnBegin {
  /** The platform's id of this message; claimed for `deliveryTtlSeconds` so a retry is told apart. */
  delivery?: string;
  deliveryTtlSeconds: number;
  /**
   * How long a delivery id is remembered after its answer is gone, so a captured request sent
   * again later is refused rather than run (a `replay`). Absent: only while the answer is kept.
   */
  replayTtlSeconds?: number;
  /** How long the conversation's lock is held at most, when `begin` takes it. */
  lockTtlMs: number;
}

export type TurnStart =
  /** The delivery was claimed before (a retry): nothing else was done. */
  | { kind: 'duplicate' }
  /** The delivery ran before and its answer is gone: a replay, refused; nothing else was done. */
  | { kind: 'replay' }
  /**
   * The delivery is now claimed, but the conversation's lock is held, or others wait for it:
   * queue with `locks.acquire`, so turns run in arrival order, then read the session.
   */
  | { kind: 'busy' }
  /** The delivery is claimed, the lock taken for `owner`, and the session read. */
  | { kind: 'started'; owner: string; session: Versioned | undefined };

export interface TurnCommit {
  /** From `begin`: the lock is released if this owner still holds it. Absent: the lock came from `locks.acquire`. */
  owner?: string;
  /** The session's version the turn read (0: none); the session is written only if it is still that. */
  expected: number;
  /** The session to keep for `ttlSeconds`, or 'delete' when the conversation ended. */
  session: { value: string; ttlSeconds: number } | 'delete';
  /** The delivery's answer, given to its retries for `ttlSeconds`. */
  delivery?: { id: string; answer: string; ttlSeconds: number };
}

/** What a store knows of a delivery. */
export type DeliveryState =
  /** Never claimed, expired, or freed by a failed turn. */
  | { kind: 'unknown' }
  /** Claimed by a turn that has not committed. */
  | { kind: 'running' }
  | { kind: 'answered'; answer: string };

/**
 * A turn in two round trips: `begin` (claim the delivery, take the lock of an idle conversation,
 * read its session) and `commit` (write the session, release the lock, keep the answer). On
 * Redis each is one script. The lock is the one `locks.acquire(conversation, …)` takes: a
 * holder from `begin` keeps `acquire` callers out, and `begin` never jumps their queue.
 */
export interface Turns {
  begin(conversation: string, options: TurnBegin): Promise<TurnStart>;
  /**
   * Writes (or deletes) the session if its version is still `expected`, releases the lock and
   * keeps the delivery's answer. False when another writer had changed the session: it is
   * left as that writer left it; the lock and the answer are dealt with all the same.
   */
  commit(conversation: string, commit: TurnCommit): Promise<boolean>;
  /** A failed turn: releases the lock (if `owner` still holds it) and frees the delivery (and its replay mark), so a retry runs. */
  abandon(conversation: string, what: { owner?: string; delivery?: string }): Promise<void>;
  /**
   * Extends the conversation's lock to `ttlMs` from now if `owner` still holds it; false if not.
   * A running turn renews its lock, so the lock can be short: one whose process died or whose
   * store stalled frees the conversation within seconds, not minutes.
   */
  renew(conversation: string, owner: string, ttlMs: number): Promise<boolean>;
  /** What became of a delivery, for a retry waiting for the first one's answer. */
  delivery(conversation: string, delivery: string): Promise<DeliveryState>;
}

/** A session kept for one of a user's conversations. */
export interface FoundSession {
  /** The conversation, as `turns` and `sessions` name it. */
  conversation: string;
  session: Versioned;
  /** Seconds until it expires. */
  expiresInSeconds: number;
}

/** A cached token, without the token: an operator sees whose it is, never what it is. */
export interface FoundToken {
  /** The key `tokens` keeps it under. */
  key: string;
  /** Undefined when the record cannot be opened (TOKEN_ENCRYPTION_KEY changed). */
  account: string | undefined;
  expiresInSeconds: number;
}

export interface FoundKeyed {
  key: string;
  value: string;
  expiresInSeconds: number;
}

/** Everything a store keeps that names a user (or any of several spellings of one). */
export interface UserData {
  sessions: FoundSession[];
  tokens: FoundToken[];
  /** Keyed values: back-off counters, what a call keeps between requests. */
  keyed: FoundKeyed[];
  /** Every other key that names the user: deliveries and their answers, replay marks, lock queues. */
  others: number;
}

/**
 * What operators need (`parley admin`, the admin routes): to see and to erase what is kept about
 * a user. A user is named by user keys (src/runtime/user-key.ts: `twilio:sms:+15550100001`), and
 * a stored key names a user when a user key stands in it as whole ':'-separated parts (see
 * src/stores/user-match.ts); everything Parley keeps about a user is keyed so. Both look at the
 * whole store (on Redis, SCAN over every master): an operator's tool, not a turn's.
 */
export interface UserRecords {
  /** `scope`: only what a scoped store (scoped-store.ts, one bot of several) keeps, its keys as they are stored. */
  find(users: readonly string[], scope?: string): Promise<UserData>;
  /** Deletes every key that names one of `users` (within `scope`); resolves to how many there were. */
  erase(users: readonly string[], scope?: string): Promise<number>;
}

export interface Store {
  sessions: SessionStore;
  tokens: TokenStore;
  locks: Locks;
  keyed: Keyed;
  turns: Turns;
  users: UserRecords;
  /**
   * When the store was last found to have lost what it kept (Redis back empty after a restart),
   * as epoch ms; undefined if never. Conversations without a session soon after were likely
   * cut off mid-flow.
   */
  lostStateAt?(): number | undefined;
  /** Resolves when the backing service answers (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
