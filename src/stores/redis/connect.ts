// Connecting to Redis, one server or a Cluster: how long a command may wait, how a failover is
// ridden out, and how Cluster seed nodes are written.
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { defineScripts, type Scripts } from './scripts.js';

export type Client = (Redis | Cluster) & Scripts;

export interface ConnectOptions {
  /** `redis://…` or `rediss://…` (TLS); ignored when `clusterNodes` is given. */
  url?: string;
  /** Cluster seed nodes: `host:port`, or `redis://[user:password@]host:port` (`rediss://` for TLS). */
  clusterNodes?: string[];
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

export function connect(options: ConnectOptions): Client {
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
  defineScripts(client);
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
  let url: URL;
  try {
    url = new URL(/^rediss?:\/\//i.test(text) ? text : `redis://${text}`);
  } catch {
    // The parser's own error quotes its input, password included.
    throw new Error(`REDIS_CLUSTER_NODES: "${redactUrl(text)}" is not host:port`);
  }
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
