// The Redis store on a real 6-node Cluster (3 masters, 3 replicas) started for this file: the
// store contract, a turn's claim waiting for a replica, and two server instances riding out a
// master killed mid-traffic without a 5xx and without calling the sign-in service twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/create-engine.js';
import { createApp } from '../../src/server/create-app.js';
import { createLogger } from '../../src/server/log.js';
import { createServerMetrics } from '../../src/server/metrics.js';
import { hashSlot } from '../../src/stores/hash-slot.js';
import { createRedisStore, type RedisStoreOptions } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { createCipher } from '../../src/stores/cipher.js';
import { botWith, engineSettings } from '../support/engine-on-redis.js';
import { authToken, fixture, postTwilio, twimlTexts, uniquePhone, type Answer } from '../server/support.js';
import { startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { testKeyPrefix } from '../support/redis.js';
import { describeStoreContract, sleep } from './store-contract.js';
import { readSettings } from '../../src/config.js';

let cluster: TestCluster;
const opened: Store[] = [];
beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
  await cluster?.stop();
});

// The tests' cluster fails over within about 3 s (cluster-node-timeout 1 s).
const onCluster = (label: string, more: Partial<RedisStoreOptions> = {}): Store => {
  const store = createRedisStore({ clusterNodes: cluster.seeds, prefix: testKeyPrefix(label), failoverWithinMs: 6_000, ...more });
  opened.push(store);
  return store;
};

describeStoreContract('redis cluster', async () => onCluster('contract'));

describe('redis store on a cluster', () => {
  it('computes the slot of a key as the cluster does, hash tags included', async () => {
    const admin = new Redis({ host: '127.0.0.1', port: cluster.nodes[0]!.port });
    try {
      for (const key of ['parley:{twilio:sms:+15550100001}:s', 'plain', 'a{}b', '{}{x}', 'x{é}y', '{tag}', `t:${'z'.repeat(300)}`]) {
        expect(hashSlot(key), key).toBe(await admin.cluster('KEYSLOT', key));
      }
    } finally {
      admin.disconnect();
    }
  });

  it('waits for a replica to have a turn’s claim, and goes on (with a warning) when none answers in time', async () => {
    const warnings: string[] = [];
    const store = onCluster('wait', { replicaAckWithinMs: 300, log: { warn: (message) => void warnings.push(message) } });
    await store.ping();
    const conversation = 'twilio:sms:+15550100002';
    const probe = await store.turns.begin(conversation, { delivery: 'SM0', deliveryTtlSeconds: 60, lockTtlMs: 10_000 });
    if (probe.kind !== 'started') throw new Error(probe.kind);
    await store.turns.commit(conversation, { owner: probe.owner, expected: 0, session: { value: '{}', ttlSeconds: 60 } });
    expect(warnings).toEqual([]);

    // A replica that stops answering (not yet taken for failed): its master's WAIT times out.
    // The key's slot is its hash tag's, whatever the store's prefix.
    const replica = await cluster.replicaOf(await cluster.masterOf(`{${conversation}}`));
    cluster.pause(replica);
    try {
      const started = Date.now();
      const begun = await store.turns.begin(conversation, { delivery: 'SM1', deliveryTtlSeconds: 60, lockTtlMs: 10_000 });
      expect(begun.kind).toBe('started');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/no replica confirmed a write to .*:d:SM1 within 300 ms/);
    } finally {
      cluster.resume(replica);
    }
  });

  it('runs its scripts on a node that has never seen them (EVALSHA falls back to EVAL)', async () => {
    const store = onCluster('noscript');
    const conversation = 'twilio:sms:+15550100003';
    const first = await store.turns.begin(conversation, { delivery: 'SM1', deliveryTtlSeconds: 60, lockTtlMs: 10_000 });
    if (first.kind !== 'started') throw new Error(first.kind);
    // As on a replica promoted after the scripts were loaded on its master: not in its cache.
    for (const node of cluster.nodes) {
      const admin = new Redis({ host: '127.0.0.1', port: node.port });
      await admin.script('FLUSH');
      admin.disconnect();
    }
    expect(await store.turns.commit(conversation, { owner: first.owner, expected: 0, session: { value: 'after', ttlSeconds: 60 } })).toBe(true);
    expect(await store.sessions.get(conversation)).toEqual({ value: 'after', version: 1 });
  });
});

// Last: it kills a master, and the cluster stays one replica short for the rest of the file.
describe('two server instances on the cluster while a master dies', () => {
  it('answers every webhook, finishes every conversation, and signs each user in once', async () => {
    const auth = await startSlowAuth(250);
    const bot = botWith({
      id: 'cluster-failover',
      authTokens: {
        acme: {
          url: `${auth.url}/login`,
          questions: [
            { ask: 'What is your username?', field: 'username' },
            { ask: 'And your password?', field: 'password', secret: true },
          ],
          ttl: 3600,
          tokenPath: 'token',
        },
      },
      steps: [
        { type: 'authToken', token: 'acme', onFailure: 'refused' },
        { type: 'end', text: 'Signed in.' },
        { id: 'refused', type: 'end', text: 'Could not sign you in.' },
      ],
    });
    const prefix = testKeyPrefix('failover');
    const [one, two] = await Promise.all([appOnCluster(bot, prefix), appOnCluster(bot, prefix)]);
    const apps = [one, two];
    try {
      const conversations = Array.from({ length: 12 }, (_, i) => ({ phone: uniquePhone(), user: `user-${i}` }));
      // The master that serves the first conversation dies while it (and the others) talk.
      const doomed = await cluster.masterOf(`${prefix}:{twilio:sms:${conversations[0]!.phone}}:s`);
      const heir = await cluster.replicaOf(doomed);

      const answers: Array<{ conversation: number; step: number; copy: boolean; answer: Answer; ms: number; endedAt: number }> = [];
      let sid = 0;
      const talk = async (index: number) => {
        const { phone, user } = conversations[index]!;
        await sleep(index * 120);
        const finals: string[][] = [];
        for (const [step, body] of ['hi', user, 'secret-pw'].entries()) {
          sid += 1;
          const messageSid = `SM${String(index).padStart(4, '0')}${String(sid).padStart(28, '0')}`;
          const fields = { ...fixture('twilio-sms.form.json'), From: phone, Body: body, MessageSid: messageSid, SmsSid: messageSid, SmsMessageSid: messageSid };
          const first = apps[(index + step) % 2]!;
          const post = async (app: TestApp, copy: boolean) => {
            const started = Date.now();
            const answer = await postTwilio(app, '/twilio/sms', fields);
            answers.push({ conversation: index, step, copy, answer, ms: Date.now() - started, endedAt: Date.now() });
            return answer;
          };
          // Every other message comes twice, the second copy to the other instance, as a retry would.
          const sent = [post(first, false)];
          if ((index + step) % 2 === 0) sent.push(sleep(40).then(() => post(apps[(index + step + 1) % 2]!, true)));
          finals.push(...(await Promise.all(sent)).map((answer) => twimlTexts(answer.text, 'Message')));
          await sleep(60);
        }
        return finals;
      };
      const traffic = Promise.all(conversations.map((_, index) => talk(index)));
      await sleep(400);
      const killedAt = Date.now();
      cluster.kill(doomed);
      const promotedAfter = await cluster.untilPromoted(heir);
      const transcripts = await traffic;
      const slowest = Math.max(...answers.map((entry) => entry.ms));

      expect(answers.filter((entry) => entry.answer.status !== 200).map((entry) => `${entry.conversation}/${entry.step}: ${entry.answer.status} ${entry.answer.text}`)).toEqual([]);
      for (const [index, finals] of transcripts.entries()) {
        expect(finals.flat(), `conversation ${index}`).toContain('Signed in.');
      }
      // Each user signed in exactly once, though half the messages came twice and a master died.
      const calls = auth.usernames();
      expect(calls.slice().sort()).toEqual(conversations.map(({ user }) => user).sort());
      // The failover happened during the traffic, and the instances waited it out.
      expect(answers.some((entry) => entry.conversation === 0 && entry.endedAt > killedAt)).toBe(true);
      expect(promotedAfter).toBeLessThan(8_000);
      expect(slowest).toBeLessThan(10_000);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      await auth.close();
    }
  }, 30_000);
});

interface TestApp {
  url: string;
  publicUrl: string;
  close(): Promise<void>;
}

async function appOnCluster(bot: ReturnType<typeof botWith>, prefix: string): Promise<TestApp> {
  const env = { ALLOW_PRIVATE_NETWORKS: 'true', TWILIO_AUTH_TOKEN: authToken, LOG_LEVEL: 'error' };
  // One key for both instances: a password asked on one is read on the other.
  const cipher = createCipher(Buffer.alloc(32, 5).toString('base64'));
  const store = createRedisStore({ clusterNodes: cluster.seeds, prefix, cipher, failoverWithinMs: 6_000 });
  const log = createLogger('error', { write: () => undefined });
  const metrics = createServerMetrics();
  const engine = createEngine({ bot, store, ...engineSettings(env), log, metrics, cipher });
  let port = 0;
  const app = createApp({ engine, storeKind: 'redis-cluster', settings: readSettings(env), log, metrics, publicUrl: () => `http://localhost:${port}` });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    publicUrl: `http://localhost:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

/** An auth service that answers every sign-in after `delayMs` (so a master can die mid-turn), noting who signed in. */
async function startSlowAuth(delayMs: number): Promise<{ url: string; usernames(): string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { username } = JSON.parse(body || '{}') as { username?: string };
      seen.push(username ?? '?');
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `tok-${username}` })), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    usernames: () => seen.slice(),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
