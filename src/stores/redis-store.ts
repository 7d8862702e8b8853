// The store on Redis (one server or a Cluster), for several instances serving one bot.
//
// Key layout (prefix defaults to "parley"):
//   {prefix}:{{conversation}}:s          session: one string "version|json", PX ttl
//   {prefix}:{{conversation}}:d:{id}     a delivery of the conversation: the turn's owner id while
//                                        it runs, then "=" and the turn's answer, PX ttl
//   {prefix}:{{conversation}}:r:{id}     a delivery that ran: "" for as long as replays are refused
//   {prefix}:{{name}}:lock:o             lock lease: the holder's random id, PX ttl
//   {prefix}:{{name}}:lock:q             lock queue: a list of waiter ids, in arrival order
//   {prefix}:{{name}}:lock:w             lock waiters: a hash id -> alive-until (ms, Redis clock)
//   {prefix}:t:{key}                     token record (JSON, sealed when there is a cipher), PX ttl
//   {prefix}:k:{key}                     keyed value, PX ttl
// The braces are Cluster hash tags: the keys of one conversation (or lock) share a slot, so the
// Lua scripts that touch several of them run on a Cluster too.
//
// The scripts that write are safe to run twice with the same arguments: when a connection closes
// before the answer came (a master dies), ioredis sends the command again, to the replica that
// took over, and the first run may or may not have reached it. A second run finds its own
// owner id (or its own session value) and answers as the first did.
import { randomBytes } from 'node:crypto';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { hashSlot } from './hash-slot.js';
import type { DeliveryState, Keyed, Locks, SessionStore, Store, TokenStore, TurnStart, Turns, Versioned } from './store.js';
import { openTokenRecord, sealTokenRecord, type TokenCipher } from './token-cipher.js';

export interface RedisStoreOptions {
  /** `redis://…` or `rediss://…` (TLS); ignored when `clusterNodes` is given. */
  url?: string;
  /** Cluster seed nodes: `host:port`, or `redis://[user:password@]host:port` (`rediss://` for TLS). */
  clusterNodes?: string[];
  /** Put before every key, so several bots (or test files) can share one Redis. Default "parley". */
  prefix?: string;
  /** Seals token records before they reach Redis. */
  cipher?: TokenCipher;
  /**
   * On a Cluster: how long a turn's claim (and its answer) may wait for a replica to have it
   * (WAIT 1) before the turn goes on without that. Default 500 ms.
   */
  replicaAckWithinMs?: number;
  /** Where a claim that no replica confirmed is reported. */
  log?: { warn(message: string): void };
  /**
   * On a Cluster: how long a command may wait for a dead master's replica to take over before
   * it fails. Set it a few seconds above cluster-node-timeout. Default 10 s.
   */
  failoverWithinMs?: number;
}

// A dead Redis must fail a request within a few seconds (so /healthz can answer 503 and a turn
// fails instead of hanging), while a short blip (failover, restart) is ridden out: commands
// issued while disconnected queue and are retried once after a reconnect, then fail.
const CONNECTION: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  connectTimeout: 3_000,
  commandTimeout: 5_000,
  retryStrategy: (times) => Math.min(50 * 2 ** (times - 1), 2_000),
};
const PING_WITHIN_MS = 2_000;
const REPLICA_ACK_WITHIN_MS = 500;

// On a Cluster, a master that dies leaves its slots to nobody for cluster-node-timeout (15 s by
// default, 1 s in the tests) plus an election (about a second): the other nodes answer MOVED to
// the dead master, then CLUSTERDOWN, until its replica takes over. ioredis retries a command
// through that, pausing RETRY_PAUSE_MS after each "connection closed", CLUSTERDOWN or TRYAGAIN
// and refreshing its slot map, but only `maxRedirections` times (16 by default: about 1.5 s,
// which the fault-injection review saw run out). The redirections are counted from the time a
// command may wait: a MOVED to the dead node and the refused connection that follows cost two
// per pause. A MOVED itself is followed at once (retryDelayOnMoved 0), as after a resharding.
const FAILOVER_WITHIN_MS = 10_000;
const RETRY_PAUSE_MS = 200;
// Loopback or a LAN connects in milliseconds; a node that does not answer within this is
// treated as down, so a redirection to a dead host (no RST) does not eat the failover budget.
const CLUSTER_CONNECT_TIMEOUT_MS = 1_000;
// CLUSTER SLOTS is asked of one node after another until one answers; a dead one costs this.
const SLOTS_REFRESH_TIMEOUT_MS = 1_000;
// Re-read the slot map this often even without a redirection, so the store learns when a
// replica joins or leaves (it decides whether to WAIT for one).
const SLOTS_REFRESH_EVERY_MS = 5_000;

function clusterRetries(failoverWithinMs: number): ClusterOptions {
  return {
    retryDelayOnFailover: RETRY_PAUSE_MS,
    retryDelayOnClusterDown: RETRY_PAUSE_MS,
    retryDelayOnTryAgain: RETRY_PAUSE_MS,
    retryDelayOnMoved: 0,
    maxRedirections: Math.max(16, 2 * Math.ceil(failoverWithinMs / RETRY_PAUSE_MS)),
    slotsRefreshTimeout: SLOTS_REFRESH_TIMEOUT_MS,
    slotsRefreshInterval: SLOTS_REFRESH_EVERY_MS,
  };
}

// A waiter renews its place in a lock queue at every poll; one not heard of for this long
// (crashed, or stuck) is dropped when it reaches the head, so it cannot block those behind it.
const WAITER_ALIVE_MS = 2_000;
const POLL_FIRST_MS = 2;
const POLL_MAX_MS = 10;

// The version and the JSON share one string so that one GET reads both, and one SET with PX
// keeps them expiring together. Sets `current` and `version` (0: no session) from KEYS[1].
const SESSION_VERSION = `
local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(string.sub(current, 1, string.find(current, '|', 1, true) - 1))
end
`;

const SESSION_SET = `${SESSION_VERSION}
if version ~= tonumber(ARGV[2]) then
  if current == (tonumber(ARGV[2]) + 1) .. '|' .. ARGV[1] then return version end
  return 0
end
version = version + 1
redis.call('SET', KEYS[1], version .. '|' .. ARGV[1], 'PX', ARGV[3])
return version
`;

// The expiry is set only when the counter has none, i.e. when this INCR created it: a window of
// failures starts at the first one and is not pushed back by the next.
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`;

// KEYS: lease, queue, waiters. ARGV: id, ttlMs, aliveMs, enqueue ('1' on the first call).
// Returns 1 when `id` now holds the lock, 0 to poll again, -1 when `id` had been dropped from
// the queue as dead (the caller queues again, at the back).
// Only a waiter ever sets the lease, for itself, when it is at the head and the lease is free;
// so there is no grant to lose when a waiter gives up or dies.
const LOCK_TRY = `
local lease, queue, waiters = KEYS[1], KEYS[2], KEYS[3]
local id, ttl, alive = ARGV[1], ARGV[2], tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if redis.call('GET', lease) == id then return 1 end
if ARGV[4] == '1' then
  if redis.call('EXISTS', lease) == 0 and redis.call('LLEN', queue) == 0 then
    redis.call('SET', lease, id, 'PX', ttl)
    return 1
  end
  redis.call('RPUSH', queue, id)
elseif not redis.call('HGET', waiters, id) then
  return -1
end
redis.call('HSET', waiters, id, now + alive)
-- Left behind by waiters that all died, the queue and the waiters disappear on their own.
redis.call('PEXPIRE', queue, alive * 2)
redis.call('PEXPIRE', waiters, alive * 2)
if redis.call('EXISTS', lease) == 1 then return 0 end
while true do
  local head = redis.call('LINDEX', queue, 0)
  if not head then return -1 end
  if head == id then
    redis.call('LPOP', queue)
    redis.call('HDEL', waiters, id)
    redis.call('SET', lease, id, 'PX', ttl)
    return 1
  end
  if tonumber(redis.call('HGET', waiters, head) or '0') > now then return 0 end
  redis.call('LPOP', queue)
  redis.call('HDEL', waiters, head)
end
`;

// KEYS: queue, waiters. ARGV: id.
const LOCK_CANCEL = `
redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

// KEYS: lease. ARGV: id. Only the holder may release: a late release, after the lease ran out
// and another waiter took the lock, must not free the new holder's lock.
const LOCK_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

// KEYS: delivery, lease, queue, session, replay mark. ARGV: owner, lockTtlMs, deliveryTtlMs ('' without
// a delivery), replayTtlMs ('' without). Returns {0} for a duplicate, {1} when busy, {2, session or
// nil} when started, {3} for a replay (the delivery ran and its answer is gone).
// The lock is taken only when it is free and nobody queues for it, the test LOCK_TRY makes on a
// waiter's first call: a turn begun here never overtakes one waiting in the queue.
// The claim holds the owner id, so a second run of this call knows the claim and the lease for its own.
const TURN_BEGIN = `
if ARGV[3] ~= '' then
  local claim = redis.call('GET', KEYS[1])
  if claim ~= ARGV[1] then
    if claim then return {0} end
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
    if ARGV[4] ~= '' and not redis.call('SET', KEYS[5], '', 'PX', ARGV[4], 'NX') then
      redis.call('DEL', KEYS[1])
      return {3}
    end
  end
end
local lease = redis.call('GET', KEYS[2])
if lease == ARGV[1] then return {2, redis.call('GET', KEYS[4])} end
if lease or redis.call('LLEN', KEYS[3]) > 0 then return {1} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {2, redis.call('GET', KEYS[4])}
`;

// KEYS: session, lease, delivery. ARGV: owner ('' when the lock came from acquire), expected
// version, session ttlMs ('' deletes the session), session JSON, delivery ttlMs ('' without a
// delivery), answer. Returns 1 when the session was written (or deleted), 0 when it had changed.
// Releasing the lease is all a waiter needs: it polls (LOCK_TRY) and takes it from the head.
const TURN_COMMIT = `${SESSION_VERSION}
local written = 0
if ARGV[3] ~= '' and current == (tonumber(ARGV[2]) + 1) .. '|' .. ARGV[4] then
  written = 1
elseif version == tonumber(ARGV[2]) then
  if ARGV[3] == '' then
    redis.call('DEL', KEYS[1])
  else
    redis.call('SET', KEYS[1], (version + 1) .. '|' .. ARGV[4], 'PX', ARGV[3])
  end
  written = 1
end
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if ARGV[5] ~= '' then redis.call('SET', KEYS[3], '=' .. ARGV[6], 'PX', ARGV[5]) end
return written
`;

// KEYS: lease. ARGV: owner, ttlMs. Extends the lease only for its holder.
const LOCK_RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

// KEYS: lease, delivery, replay mark. ARGV: owner ('' when the lock came from acquire), '1' to free the delivery.
const TURN_ABANDON = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if ARGV[2] == '1' then redis.call('DEL', KEYS[2], KEYS[3]) end
return 1
`;

/** The scripts that must be safe to run twice, for the tests that run them so. */
export const rerunnableScripts = { SESSION_SET, LOCK_TRY, TURN_BEGIN, TURN_COMMIT } as const;

interface Scripts {
  parleySessionSet(key: string, value: string, expected: number, ttlMs: number): Promise<number | null>;
  parleyIncrement(key: string, ttlMs: number): Promise<number>;
  parleyLockTry(
    lease: string,
    queue: string,
    waiters: string,
    id: string,
    ttlMs: number,
    aliveMs: number,
    enqueue: '1' | '0',
  ): Promise<number>;
  parleyLockCancel(queue: string, waiters: string, id: string): Promise<number>;
  parleyLockRenew(lease: string, owner: string, ttlMs: number): Promise<number>;
  parleyLockRelease(lease: string, id: string): Promise<number>;
  parleyTurnBegin(
    delivery: string,
    lease: string,
    queue: string,
    session: string,
    replay: string,
    owner: string,
    lockTtlMs: number,
    deliveryTtlMs: number | '',
    replayTtlMs: number | '',
  ): Promise<[0 | 1 | 2 | 3, (string | null)?]>;
  parleyTurnCommit(
    session: string,
    lease: string,
    delivery: string,
    owner: string,
    expected: number,
    sessionTtlMs: number | '',
    value: string,
    deliveryTtlMs: number | '',
    answer: string,
  ): Promise<number>;
  parleyTurnAbandon(lease: string, delivery: string, replay: string, owner: string, freeDelivery: '1' | '0'): Promise<number>;
}

type Client = (Redis | Cluster) & Scripts;

export function createRedisStore(options: RedisStoreOptions): Store {
  const prefix = options.prefix ?? 'parley';
  const cipher = options.cipher;
  const client = connect(options);
  // Kept so a failed ping says why (refused, DNS, auth) rather than just "retries exhausted".
  let connectionError: Error | undefined;
  client.on('error', (error: Error) => {
    connectionError = error;
  });
  // A mark that lives as long as Redis keeps its data. Missing when a connection is made again,
  // it says Redis came back empty (restarted without persistence, or flushed): conversations
  // that were under way have lost their place, and their users are told so.
  const epochKey = `${prefix}:epoch`;
  let readyBefore = false;
  let lostAt: number | undefined;
  client.on('ready', () => {
    connectionError = undefined;
    const again = readyBefore;
    readyBefore = true;
    void client.set(epochKey, String(Date.now()), 'NX').then(
      (created) => {
        if (created === 'OK' && again) lostAt = Date.now();
      },
      () => undefined,
    );
  });

  // A turn's claim and its answer must survive a failover: on a Cluster they wait for a replica.
  // On one Redis they are sent as they are, one round trip each.
  const durably: Durably =
    client instanceof Cluster
      ? replicated(client as Cluster & Scripts, options.replicaAckWithinMs ?? REPLICA_ACK_WITHIN_MS, options.log)
      : (_key, send) => send(client);

  const sessionKey = (conversation: string) => `${prefix}:{${conversation}}:s`;
  // Without a delivery the scripts still name a key, one that is never written, in the same slot.
  const deliveryKey = (conversation: string, delivery = '') => `${prefix}:{${conversation}}:d:${delivery}`;
  const replayKey = (conversation: string, delivery = '') => `${prefix}:{${conversation}}:r:${delivery}`;
  const tokenKey = (key: string) => `${prefix}:t:${key}`;
  const keyedKey = (key: string) => `${prefix}:k:${key}`;

  const sessions: SessionStore = {
    async get(conversation) {
      return parseSession(await client.get(sessionKey(conversation)));
    },
    async set(conversation, value, expected, ttlSeconds) {
      const version = await client.parleySessionSet(sessionKey(conversation), value, expected, toMs(ttlSeconds));
      return typeof version === 'number' && version > 0 ? version : false;
    },
    async delete(conversation) {
      await client.del(sessionKey(conversation));
    },
  };

  const tokens: TokenStore = {
    async get(key) {
      const stored = await client.get(tokenKey(key));
      return stored === null ? undefined : openTokenRecord(stored, cipher);
    },
    async set(key, record, ttlSeconds) {
      await client.set(tokenKey(key), sealTokenRecord(record, cipher), 'PX', toMs(ttlSeconds));
    },
    async delete(key) {
      await client.del(tokenKey(key));
    },
  };

  const keyed: Keyed = {
    async get(key) {
      return (await client.get(keyedKey(key))) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await client.set(keyedKey(key), value, 'PX', toMs(ttlSeconds));
    },
    async increment(key, ttlSeconds) {
      return client.parleyIncrement(keyedKey(key), toMs(ttlSeconds));
    },
    async delete(key) {
      await client.del(keyedKey(key));
    },
  };

  const turns: Turns = {
    async begin(conversation, { delivery, deliveryTtlSeconds, replayTtlSeconds, lockTtlMs }): Promise<TurnStart> {
      const lock = lockKeys(prefix, conversation);
      const owner = newOwner();
      const answer = await durably(deliveryKey(conversation, delivery), (target) => target.parleyTurnBegin(
        deliveryKey(conversation, delivery),
        lock.lease,
        lock.queue,
        sessionKey(conversation),
        replayKey(conversation, delivery),
        owner,
        Math.max(1, Math.round(lockTtlMs)),
        delivery === undefined ? '' : toMs(deliveryTtlSeconds),
        replayTtlSeconds === undefined ? '' : toMs(replayTtlSeconds),
      ));
      if (answer[0] === 0) return { kind: 'duplicate' };
      if (answer[0] === 3) return { kind: 'replay' };
      if (answer[0] === 1) return { kind: 'busy' };
      return { kind: 'started', owner, session: parseSession(answer[1] ?? null) };
    },
    async commit(conversation, { owner, expected, session, delivery }) {
      const written = await durably(sessionKey(conversation), (target) => target.parleyTurnCommit(
        sessionKey(conversation),
        lockKeys(prefix, conversation).lease,
        deliveryKey(conversation, delivery?.id),
        owner ?? '',
        expected,
        session === 'delete' ? '' : toMs(session.ttlSeconds),
        session === 'delete' ? '' : session.value,
        delivery === undefined ? '' : toMs(delivery.ttlSeconds),
        delivery?.answer ?? '',
      ));
      return written === 1;
    },
    async abandon(conversation, { owner, delivery }) {
      await client.parleyTurnAbandon(
        lockKeys(prefix, conversation).lease,
        deliveryKey(conversation, delivery),
        replayKey(conversation, delivery),
        owner ?? '',
        delivery === undefined ? '0' : '1',
      );
    },
    async renew(conversation, owner, ttlMs) {
      return (await client.parleyLockRenew(lockKeys(prefix, conversation).lease, owner, Math.max(1, Math.round(ttlMs)))) === 1;
    },
    async delivery(conversation, delivery): Promise<DeliveryState> {
      const stored = await client.get(deliveryKey(conversation, delivery));
      if (stored === null) return { kind: 'unknown' };
      return stored.startsWith('=') ? { kind: 'answered', answer: stored.slice(1) } : { kind: 'running' };
    },
  };

  return {
    sessions,
    tokens,
    locks: createRedisLocks(client, prefix),
    keyed,
    turns,
    lostStateAt() {
      return lostAt;
    },
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_WITHIN_MS} ms`)), PING_WITHIN_MS);
      });
      try {
        await Promise.race([client.ping(), late]);
      } catch (error) {
        const cause = connectionError ?? (error instanceof Error ? error : undefined);
        throw new Error(`Redis did not answer PING${cause ? `: ${cause.message}` : ''}`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      try {
        await client.quit();
      } catch {
        // Not connected: QUIT cannot be sent, but the reconnect loop still has to stop.
        client.disconnect();
      }
    },
  };
}

/** Sends a write that must survive a failover; `key` names its slot. */
type Durably = <T>(key: string, send: (target: Scripts) => Promise<T>) => Promise<T>;

// Redis replicates asynchronously: a master that answered a write and died before its replica
// had it takes the write with it, and the promoted replica never saw it. For a turn's claim that
// means a retried message runs again (and calls the sign-in service again) while the first run
// is still going. So on a Cluster the claim is followed by WAIT 1, sent in the same pipeline to
// the same master (WAIT counts this connection's writes): one round trip, answered once the
// replica acknowledged (about a network round trip more) or after `ackWithinMs`. A slot whose
// master has no replica (it lost it in a failover) is written without WAIT, which could only
// time out. What remains: a claim whose WAIT timed out (replica lagging, or cut off and not yet
// marked failed) can still be lost, and so can anything when master and replica die together.
function replicated(client: Cluster & Scripts, ackWithinMs: number, log: RedisStoreOptions['log']): Durably {
  type Sent<T> = { ok: true; value: T; acks: number } | { ok: false; error: unknown };
  const withWait = async <T>(send: (target: Scripts) => Promise<T>): Promise<Sent<T>> => {
    const pipeline = client.pipeline();
    // On a pipeline the script only queues (and returns the pipeline, not a promise).
    void send(pipeline as unknown as Scripts);
    pipeline.wait(1, ackWithinMs);
    try {
      const [sent, waited] = (await pipeline.exec()) ?? [];
      if (sent === undefined || sent[0] !== null) return { ok: false, error: sent?.[0] };
      // The connection closed (or the master stepped down) after the write: it may be lost.
      if (waited === undefined || waited[0] !== null) return { ok: false, error: waited?.[0] };
      return { ok: true, value: sent[1] as T, acks: Number(waited[1]) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  const hasReplica = (key: string) => (client.slots[hashSlot(key)]?.length ?? 0) > 1;
  const unconfirmed = (key: string) => log?.warn(`no replica confirmed a write to ${key} within ${ackWithinMs} ms: a failover now could lose it`);

  return async (key, send) => {
    if (!hasReplica(key)) return send(client);
    const first = await withWait(send);
    if (first.ok) {
      if (first.acks < 1) unconfirmed(key);
      return first.value;
    }
    // The budget for this failover is spent: do not start another.
    if (first.error instanceof Error && first.error.message.startsWith('Too many Cluster redirections')) throw first.error;
    // A failover or a slot move is under way. The plain command rides it out (ioredis retries,
    // then follows the slot to its new master) and tells what holds there now; the scripts are
    // safe to run twice. Then the write is confirmed on a replica of that master, if it has one.
    const value = await send(client);
    if (hasReplica(key)) {
      const again = await withWait(send);
      if (!again.ok || again.acks < 1) unconfirmed(key);
    }
    return value;
  };
}

/**
 * A fair lock: waiters queue in a Redis list in the order their first call reached Redis, and
 * the head takes the lease when it is free. A holder that dies loses the lock when its lease
 * (PX ttl) runs out; a waiter that dies is dropped when it reaches the head and has not polled
 * for WAITER_ALIVE_MS. Waiting is polling with short sleeps.
 */
function createRedisLocks(client: Client, prefix: string): Locks {
  return {
    async acquire(name, ttlMs, waitMs) {
      const { lease, queue, waiters } = lockKeys(prefix, name);
      const id = newOwner();
      const ttl = Math.max(1, Math.round(ttlMs));
      const release = Object.assign(
        async () => {
          await client.parleyLockRelease(lease, id);
        },
        { owner: id },
      );
      const deadline = Date.now() + waitMs;
      let enqueue: '1' | '0' = '1';
      let pause = POLL_FIRST_MS;
      try {
        for (;;) {
          const outcome = await client.parleyLockTry(lease, queue, waiters, id, ttl, WAITER_ALIVE_MS, enqueue);
          if (outcome === 1) return release;
          // -1: this process stalled long enough to be taken for dead; queue again.
          enqueue = outcome === -1 ? '1' : '0';
          if (Date.now() >= deadline) break;
          await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
          pause = Math.min(POLL_MAX_MS, pause * 1.5);
        }
      } catch (error) {
        await client.parleyLockCancel(queue, waiters, id).catch(() => undefined);
        throw error;
      }
      await client.parleyLockCancel(queue, waiters, id);
      return undefined;
    },
  };
}

function lockKeys(prefix: string, name: string): { lease: string; queue: string; waiters: string } {
  const base = `${prefix}:{${name}}:lock:`;
  return { lease: `${base}o`, queue: `${base}q`, waiters: `${base}w` };
}

// A lock holder's id: this process's random prefix, so a holder in another process can never
// be mistaken for it, and a count, so no two holders here share one. (randomBytes on every
// turn cost about 4% of the server's CPU under load.)
const ownerPrefix = randomBytes(12).toString('base64url');
let ownersSoFar = 0;

function newOwner(): string {
  ownersSoFar += 1;
  return `${ownerPrefix}.${ownersSoFar.toString(36)}`;
}

function parseSession(stored: string | null): Versioned | undefined {
  if (stored === null) return undefined;
  const bar = stored.indexOf('|');
  return { version: Number(stored.slice(0, bar)), value: stored.slice(bar + 1) };
}

function connect(options: RedisStoreOptions): Client {
  let client: Redis | Cluster;
  if (options.clusterNodes !== undefined && options.clusterNodes.length > 0) {
    const seeds = options.clusterNodes.map(parseClusterNode);
    const auth = seeds.find((seed) => seed.password !== undefined);
    const { retryStrategy, enableOfflineQueue, ...perNode } = CONNECTION;
    client = new Cluster(
      seeds.map((seed) => seed.node),
      {
        ...clusterRetries(options.failoverWithinMs ?? FAILOVER_WITHIN_MS),
        enableOfflineQueue,
        clusterRetryStrategy: retryStrategy,
        redisOptions: {
          ...perNode,
          connectTimeout: CLUSTER_CONNECT_TIMEOUT_MS,
          ...(auth && { username: auth.username, password: auth.password }),
          ...(seeds.some((seed) => seed.tls) && { tls: {} }),
        },
      },
    );
  } else if (options.url !== undefined) {
    client = new Redis(options.url, CONNECTION);
  } else {
    throw new Error('createRedisStore needs a url or clusterNodes');
  }
  client.defineCommand('parleySessionSet', { numberOfKeys: 1, lua: SESSION_SET });
  client.defineCommand('parleyIncrement', { numberOfKeys: 1, lua: INCREMENT });
  client.defineCommand('parleyLockTry', { numberOfKeys: 3, lua: LOCK_TRY });
  client.defineCommand('parleyLockCancel', { numberOfKeys: 2, lua: LOCK_CANCEL });
  client.defineCommand('parleyLockRelease', { numberOfKeys: 1, lua: LOCK_RELEASE });
  client.defineCommand('parleyLockRenew', { numberOfKeys: 1, lua: LOCK_RENEW });
  client.defineCommand('parleyTurnBegin', { numberOfKeys: 5, lua: TURN_BEGIN });
  client.defineCommand('parleyTurnCommit', { numberOfKeys: 3, lua: TURN_COMMIT });
  client.defineCommand('parleyTurnAbandon', { numberOfKeys: 3, lua: TURN_ABANDON });
  return client as Client;
}

interface ClusterSeed {
  node: ClusterNode;
  username?: string;
  password?: string;
  tls: boolean;
}

function parseClusterNode(entry: string): ClusterSeed {
  const text = entry.trim();
  const url = new URL(/^rediss?:\/\//i.test(text) ? text : `redis://${text}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  if (url.hostname === '' || !Number.isInteger(port)) {
    throw new Error(`REDIS_CLUSTER_NODES: "${redactUrl(text)}" is not host:port`);
  }
  return {
    node: { host: url.hostname.replace(/^\[|\]$/g, ''), port },
    ...(url.password !== '' && {
      username: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password),
    }),
    tls: url.protocol === 'rediss:',
  };
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: drop anything that looks like credentials.
    return text.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function toMs(ttlSeconds: number): number {
  return Math.max(1, Math.round(ttlSeconds * 1000));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
