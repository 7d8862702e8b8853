// The Lua scripts of the Redis store, each one round trip that reads and writes atomically.
// The scripts that write are safe to run twice with the same arguments: when a connection closes
// before the answer came (a master dies), ioredis sends the command again, to the replica that
// took over, and the first run may or may not have reached it. A second run finds its own
// owner id (or its own session value) and answers as the first did.
import type { Cluster, Redis } from 'ioredis';

// The version and the JSON share one string so that one GET reads both, and one SET with PX
// keeps them expiring together. Sets `current` and `version` (0: no session) from KEYS[1].
const SESSION_VERSION = `
local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(string.sub(current, 1, string.find(current, '|', 1, true) - 1))
end
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
elseif ARGV[3] == '' and version == 0 then
  -- Ending a conversation whose session is gone (a run of this script before this one, or
  -- its expiry): there is nothing to write over, so the end stands.
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
export const rerunnableScripts = { LOCK_TRY, TURN_BEGIN, TURN_COMMIT } as const;

export interface Scripts {
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

/** Makes the scripts commands of `client` (EVALSHA, falling back to EVAL on a new node). */
export function defineScripts(client: Redis | Cluster): void {
  client.defineCommand('parleyIncrement', { numberOfKeys: 1, lua: INCREMENT });
  client.defineCommand('parleyLockTry', { numberOfKeys: 3, lua: LOCK_TRY });
  client.defineCommand('parleyLockCancel', { numberOfKeys: 2, lua: LOCK_CANCEL });
  client.defineCommand('parleyLockRelease', { numberOfKeys: 1, lua: LOCK_RELEASE });
  client.defineCommand('parleyLockRenew', { numberOfKeys: 1, lua: LOCK_RENEW });
  client.defineCommand('parleyTurnBegin', { numberOfKeys: 5, lua: TURN_BEGIN });
  client.defineCommand('parleyTurnCommit', { numberOfKeys: 3, lua: TURN_COMMIT });
  client.defineCommand('parleyTurnAbandon', { numberOfKeys: 3, lua: TURN_ABANDON });
}
