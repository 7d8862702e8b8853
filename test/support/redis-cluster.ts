// A throwaway 6-node Redis Cluster (3 masters, 3 replicas) on free loopback ports, for the test
// files that need one (start it once per file: it takes a few seconds). Nothing is persisted;
// every server runs in its own temp dir and is stopped by its pid, also when setup fails.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { stopChild } from './stop-child.js';

const run = promisify(execFile);

/** How long a node may be silent before the others mark it failed (cluster-node-timeout). */
export const NODE_TIMEOUT_MS = 1_000;
const READY_WITHIN_MS = 20_000;
const NODES = 6;

export interface ClusterNode {
  port: number;
  pid: number;
  /** The node's cluster id (CLUSTER MYID). */
  id: string;
}

export interface TestCluster {
  /** `127.0.0.1:PORT` of every node, as REDIS_CLUSTER_NODES takes them. */
  seeds: string[];
  nodes: ClusterNode[];
  /** The node that currently serves `key`'s slot as master. */
  masterOf(key: string): Promise<ClusterNode>;
  /** Its replica (the node that will take over when the master dies). */
  replicaOf(master: ClusterNode): Promise<ClusterNode>;
  /** SIGKILLs a node by its pid: no goodbye to its clients or to the cluster. */
  kill(node: ClusterNode): void;
  /** SIGSTOPs a node (it holds its connections but answers nothing) until `resume`. */
  pause(node: ClusterNode): void;
  resume(node: ClusterNode): void;
  /** Waits until `replica` is a master and every live node says cluster_state:ok with all slots served. */
  untilPromoted(replica: ClusterNode, withinMs?: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cluster-'));
  const children: ChildProcess[] = [];
  const admins = new Map<number, Redis>();
  const stopAll = async () => {
    for (const admin of admins.values()) admin.disconnect();
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Each node needs a client port and a cluster bus port; ask for both rather than trusting port+10000.
    const ports = await freePorts(NODES * 2);
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < NODES; i++) {
      const port = ports[i]!;
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--cluster-port', String(ports[NODES + i]!),
          '--bind', '127.0.0.1',
          '--dir', dir,
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
          // A replica takes over however long it was cut off from its master: a test kills
          // masters, and a replica that refused would leave the slots down.
          '--cluster-replica-validity-factor', '0',
          '--cluster-allow-reads-when-down', 'no',
          // A replica's first sync starts at once, not after the 5 s Redis waits for more replicas.
          '--repl-diskless-sync-delay', '0',
          // CLUSTER SLOTS leaves out a replica until its offset is past 0, and an idle master moves
          // its offset only with the pings it sends its replicas (every 10 s by default).
          '--repl-ping-replica-period', '1',
          '--save', '',
          '--appendonly', 'no',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      if (child.pid === undefined) throw new Error('redis-server did not start (is it on PATH?)');
      nodes.push({ port, pid: child.pid, id: '' });
    }
    for (const node of nodes) {
      const admin = new Redis({ host: '127.0.0.1', port: node.port, maxRetriesPerRequest: 1, retryStrategy: (times) => (times > 100 ? null : 50), lazyConnect: false });
      admin.on('error', () => undefined);
      admins.set(node.port, admin);
    }
    for (const node of nodes) node.id = await untilAnswers(admins.get(node.port)!, () => admins.get(node.port)!.cluster('MYID') as Promise<string>);

    const seeds = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', '1', '--cluster-yes'], { timeout: READY_WITHIN_MS });
    await untilHealthy(nodes.map((node) => admins.get(node.port)!), READY_WITHIN_MS);
    await untilReplicated([...admins.values()], READY_WITHIN_MS);

    const byId = (id: string) => {
      const node = nodes.find((candidate) => candidate.id === id);
      if (node === undefined) throw new Error(`no node ${id}`);
      return node;
    };
    const admin = (node: ClusterNode) => admins.get(node.port)!;
    const live = () => nodes.filter((node) => !killed.has(node.port));
    const killed = new Set<number>();

    return {
      seeds,
      nodes,
      async masterOf(key) {
        const asker = admin(live()[0]!);
        const slot = (await asker.cluster('KEYSLOT', key)) as number;
        const shards = await asker.cluster('SLOTS');
        const owner = shards.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[2];
        if (owner === undefined) throw new Error(`slot ${slot} is not served`);
        return byId(owner);
      },
      async replicaOf(master) {
        const replicas = (await admin(master).cluster('REPLICAS', master.id)) as string[];
        const id = replicas[0]?.split(' ')[0];
        if (id === undefined) throw new Error(`node ${master.port} has no replica`);
        return byId(id);
      },
      kill(node) {
        killed.add(node.port);
        admins.get(node.port)?.disconnect();
        admins.delete(node.port);
        process.kill(node.pid, 'SIGKILL');
      },
      pause(node) {
        process.kill(node.pid, 'SIGSTOP');
      },
      resume(node) {
        process.kill(node.pid, 'SIGCONT');
      },
      async untilPromoted(replica, withinMs = 15_000) {
        const started = Date.now();
        const deadline = started + withinMs;
        for (;;) {
          const role = (await admin(replica).role().catch(() => [])) as unknown[];
          if (role[0] === 'master' && (await allHealthy(live().map(admin)))) return Date.now() - started;
          if (Date.now() > deadline) throw new Error(`node ${replica.port} was not promoted within ${withinMs} ms`);
          await sleep(50);
        }
      },
      stop: stopAll,
    };
  } catch (error) {
    // A setup that throws gets no teardown: stop the servers here or they outlive the run.
    await stopAll();
    throw error;
  }
}

async function untilHealthy(admins: Redis[], withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await allHealthy(admins))) {
    if (Date.now() > deadline) throw new Error(`the cluster was not ok within ${withinMs} ms`);
    await sleep(50);
  }
}

// A replica that has not finished its first sync is left out of CLUSTER SLOTS and acknowledges
// nothing (WAIT answers 0): wait until every shard has one that is online, and listed.
async function untilReplicated(admins: Redis[], withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const shards = await admins[0]!.cluster('SLOTS').catch(() => []);
    const infos = await Promise.all(admins.map((admin) => admin.info('replication').catch(() => '')));
    const masters = infos.filter((info) => /role:master/.test(info));
    if (shards.length > 0 && shards.every((shard) => shard.length >= 4) && masters.length === NODES / 2 && masters.every((info) => /slave0:.*state=online/.test(info))) return;
    if (Date.now() > deadline) throw new Error(`the replicas were not in sync within ${withinMs} ms`);
    await sleep(50);
  }
}

// Every node must say so: right after a change, one node may already be ok while another still
// sends clients to a dead master.
async function allHealthy(admins: Redis[]): Promise<boolean> {
  const infos = await Promise.all(admins.map((admin) => (admin.cluster('INFO') as Promise<string>).catch(() => '')));
  return infos.every((info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info) && /cluster_slots_pfail:0\b/.test(info) && /cluster_slots_fail:0\b/.test(info));
}

async function untilAnswers<T>(admin: Redis, ask: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    try {
      if (admin.status === 'ready') return await ask();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`redis-server on ${String(admin.options.port)} did not answer`);
    await sleep(20);
  }
}

async function freePorts(count: number): Promise<number[]> {
  // All held open at once, so no two are the same.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const server = createServer();
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}


function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
