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
//   {prefix}:epoch                       set once: gone after a reconnect means Redis lost its data
// The braces are Cluster hash tags: the keys of one conversation (or lock) share a slot, so the
// Lua scripts that touch several of them run on a Cluster too. Every key about a user names it
// (conversations, token and keyed keys hold its user key: src/runtime/user-key.ts), which is
// how `users` (redis/users.ts) finds and erases them all for operators.
//
// The parts live in redis/: the scripts, connecting (and riding out a failover), the fair lock,
// and the writes a Cluster must replicate.
import { Cluster } from 'ioredis';
import { connect, type ConnectOptions } from './redis/connect.js';
import { createRedisLocks, lockKeys, newOwner } from './redis/locks.js';
import { replicated, type Durably } from './redis/replicated.js';
import { createRedisUsers } from './redis/users.js';
import type { Scripts } from './redis/scripts.js';
import type { DeliveryState, Keyed, SessionStore, Store, TokenStore, TurnStart, Turns, Versioned } from './store.js';
import { openTokenRecord, sealTokenRecord, type Cipher } from './cipher.js';

export interface RedisStoreOptions extends ConnectOptions {
  /** Put before every key, so several bots (or test files) can share one Redis. Default "parley". */
  prefix?: string;
  /** Seals token records before they reach Redis. */
  cipher?: Cipher;
  /**
   * On a Cluster: how long a turn's claim (and its answer) may wait for a replica to have it
   * (WAIT 1) before the turn goes on without that. Default 500 ms.
   */
  replicaAckWithinMs?: number;
  /** Where a claim that no replica confirmed is reported. */
  log?: { warn(message: string): void };
}

const PING_WITHIN_MS = 2_000;
const REPLICA_ACK_WITHIN_MS = 500;


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
  // Every instance remembers the mark it saw and compares on each reconnect, so each learns of
  // the loss, whichever of them wrote the new mark.
  const epochKey = `${prefix}:epoch`;
  let epoch: string | undefined;
  let lostAt: number | undefined;
  const checkEpoch = async () => {
    const [, read] = (await client.pipeline().set(epochKey, `${Date.now()}.${Math.random().toString(36).slice(2)}`, 'NX').get(epochKey).exec()) ?? [];
    const now = typeof read?.[1] === 'string' ? read[1] : undefined;
    if (epoch !== undefined && now !== epoch) lostAt = Date.now();
    epoch = now;
  };
  // After a connection was lost, the first turn checks the mark before it begins (one round
  // trip, once per reconnect): commands queued while Redis was away are sent before anything
  // an event handler could send, so only the turn itself can be sure to know in time.
  let unchecked = false;
  client.on('ready', () => {
    connectionError = undefined;
    if (epoch === undefined) checkEpoch().catch(() => undefined);
  });
  client.on('close', () => {
    if (epoch !== undefined) unchecked = true;
  });
  const checkedEpoch = async () => {
    if (!unchecked) return;
    await checkEpoch();
    unchecked = false;
  };

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
      await checkedEpoch();
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
    users: createRedisUsers(client, prefix, cipher),
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

function parseSession(stored: string | null): Versioned | undefined {
  if (stored === null) return undefined;
  const bar = stored.indexOf('|');
  return { version: Number(stored.slice(0, bar)), value: stored.slice(bar + 1) };
}

function toMs(ttlSeconds: number): number {
  return Math.max(1, Math.round(ttlSeconds * 1000));
}

export { redactUrl } from './redis/connect.js';
export { rerunnableScripts } from './redis/scripts.js';
