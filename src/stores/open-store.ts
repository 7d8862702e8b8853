import { createMemoryStore } from './memory-store.js';
import type { Store } from './store.js';
import type { Cipher } from './cipher.js';
import type { Settings } from '../config.js';

export interface OpenedStore {
  store: Store;
  kind: 'memory' | 'redis' | 'redis-cluster';
  /** Present when TOKEN_ENCRYPTION_KEY is set; the store already seals tokens with it. */
  cipher?: Cipher;
}

const missingKey =
  'TOKEN_ENCRYPTION_KEY is not set, and REDIS_URL (or REDIS_CLUSTER_NODES) makes the store shared: ' +
  'every instance must seal tokens and secret answers with the same key. Make one with `openssl rand -base64 32` ' +
  'and give it to every instance. For development only, ALLOW_UNENCRYPTED_TOKENS=true starts without it.';

// Long enough for a Redis started alongside the server (compose, CI) to come up, short enough
// that a wrong URL fails the start instead of hanging it.
const READY_WITHIN_MS = 5_000;

/**
 * The store the settings ask for: Redis when REDIS_CLUSTER_NODES or REDIS_URL is set (the
 * promise resolves once it answers), else memory. Throws on a shared store without
 * TOKEN_ENCRYPTION_KEY (unless ALLOW_UNENCRYPTED_TOKENS) or a Redis that does not answer.
 */
export async function openStore(settings: Pick<Settings, 'redis' | 'cipher' | 'allowUnencryptedTokens'>, log?: { warn(msg: string): void }): Promise<OpenedStore> {
  const { cipher, redis } = settings;
  if (redis === undefined) {
    return { store: createMemoryStore({ ...(cipher && { cipher }) }), kind: 'memory', ...(cipher && { cipher }) };
  }

  if (cipher === undefined) {
    // Every instance seals secret answers and tokens; without one key shared by all, a password
    // asked on one instance cannot be read on the next, and tokens lie in Redis in clear.
    if (!settings.allowUnencryptedTokens) throw new Error(missingKey);
    log?.warn('TOKEN_ENCRYPTION_KEY is not set (ALLOW_UNENCRYPTED_TOKENS=true): tokens are stored in Redis in clear, and a sign-in begun on one instance fails on another');
  }
  // ioredis is loaded only for a server that uses Redis (a quarter of an idle server's memory).
  const { createRedisStore, redactUrl } = await import('./redis-store.js');
  const cluster = 'clusterNodes' in redis;
  const store = cluster
    ? createRedisStore({ clusterNodes: redis.clusterNodes, ...(cipher && { cipher }), ...(log && { log }) })
    : createRedisStore({ url: redis.url, ...(cipher && { cipher }) });
  const where = 'clusterNodes' in redis ? `Redis Cluster ${redis.clusterNodes.map(redactUrl).join(',')}` : `Redis at ${redactUrl(redis.url)}`;
  await untilAnswers(store, where);
  return { store, kind: cluster ? 'redis-cluster' : 'redis', ...(cipher && { cipher }) };
}

async function untilAnswers(store: Store, where: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await store.ping();
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await store.close().catch(() => undefined);
  const reason = last instanceof Error ? `: ${last.message}` : '';
  throw new Error(`${where} did not answer within ${READY_WITHIN_MS / 1000} s${reason}`);
}
