// Erasing a user leaves no key that names them, on one Redis and on a real Cluster: a user who
// signed in by SMS, was refused once, and called (a conversation-scoped token, a call's
// scratch values) is erased through the admin routes, then every master is scanned whole.
// Another user's keys stay.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { readSettings } from '../../src/config.js';
import { createEngine } from '../../src/create-engine.js';
import { createApp } from '../../src/server/create-app.js';
import { createLogger } from '../../src/server/log.js';
import { createServerMetrics } from '../../src/server/metrics.js';
import { createCipher } from '../../src/stores/cipher.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { botWith, engineSettings, standIns } from '../support/engine-on-redis.js';
import { startRedisCluster, type TestCluster } from '../support/redis-cluster.js';
import { testKeyPrefix, testRedisUrl } from '../support/redis.js';
import { authToken, fixture, postTwilio, twimlTexts, uniquePhone } from '../server/support.js';

const standIn = standIns();
const adminToken = 'erase-test-admin-token-0123456789abcdef';

async function signInBot(): Promise<Bot> {
  const auth = (await standIn())
    .on('POST /login', (seen) => {
      const { username, password } = seen.json as Record<string, string>;
      return password === 'right' ? { json: { token: `tok-${username}-${Math.random().toString(36).slice(2)}` } } : { status: 401, json: {} };
    })
    .on('POST /begin', { json: { auth_url: 'https://bank.example.com/login?session=s1', temp_data_to_save: { session: 's1' } } });
  return botWith({
    id: 'erase-bot',
    triggers: [{ keywords: ['by link'], script: 'link' }],
    scripts: { link: { steps: [{ type: 'authToken', token: 'web' }, { type: 'end', text: 'Signed in by link.' }] } },
    authTokens: {
      web: { mode: 'web', beginUrl: `${auth.url}/begin`, endUrl: `${auth.url}/end`, ttl: 600 },
      acme: {
        url: `${auth.url}/login`,
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 3600,
        tokenPath: 'token',
      },
    },
    steps: [
      { type: 'authToken', token: 'acme', onFailure: 'refused' },
      { type: 'question', ask: 'Signed in. Anything else?', save: 'more', input: 'yesno' },
      { type: 'end', text: 'Bye.' },
      { id: 'refused', type: 'end', text: 'Could not sign you in.' },
    ],
  });
}

interface App {
  url: string;
  publicUrl: string;
  close(): Promise<void>;
}

async function appOn(store: Store, bot: Bot): Promise<App> {
  const env = { ALLOW_PRIVATE_NETWORKS: 'true', TWILIO_AUTH_TOKEN: authToken, ADMIN_TOKEN: adminToken, LOG_LEVEL: 'error' };
  const log = createLogger('error', { write: () => undefined });
  const metrics = createServerMetrics();
  let port = 0;
  const engine = createEngine({ bot, store, ...engineSettings(env), log, metrics, cipher, publicUrl: () => `http://localhost:${port}` });
  const app = createApp({ engine, storeKind: 'redis', settings: readSettings(env), log, metrics, publicUrl: () => `http://localhost:${port}` });
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

const cipher = createCipher(Buffer.alloc(32, 9).toString('base64'));
let sids = 0;
const sid = (kind: 'SM' | 'CA') => `${kind}${String(Date.now()).padStart(16, '0')}${String(++sids).padStart(16, '0')}`;

async function sms(app: App, from: string, body: string): Promise<string[]> {
  const id = sid('SM');
  const answer = await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: id, SmsSid: id, SmsMessageSid: id });
  return twimlTexts(answer.text, 'Message');
}

/** Leaves in the store all a user can leave: returns the call's sid. */
async function leaveTraces(app: App, phone: string): Promise<string> {
  await sms(app, phone, 'hi');
  await sms(app, phone, 'ada');
  expect(await sms(app, phone, 'wrong')).toContain('Username?');
  await sms(app, phone, 'ada');
  expect(await sms(app, phone, 'right')).toEqual(['Signed in. Anything else?']);
  // A call that signs in (a token kept for the call), and one refused (a failure counted).
  const call = sid('CA');
  expect(await signInByPhone(app, phone, call, 'right')).toBe('Signed in. Anything else? Press 1 for yes, 2 for no.');
  expect(await signInByPhone(app, phone, sid('CA'), 'wrong')).toContain('Username?');
  // A sign-in by link left pending: its record is found by its state, and a marker names the user.
  expect((await sms(app, phone, 'by link')).join('\n')).toContain('https://bank.example.com/login?session=s1');
  return call;
}

async function signInByPhone(app: App, phone: string, call: string, password: string): Promise<string | undefined> {
  const voice = (path: string, fields: Record<string, string>) => postTwilio(app, path, { ...fixture('twilio-voice-gather.form.json'), CallSid: call, From: phone, ...fields });
  await postTwilio(app, '/twilio/voice', { ...fixture('twilio-voice-incoming.form.json'), CallSid: call, From: phone });
  await voice('/twilio/voice?n=1', { Digits: '', SpeechResult: 'ada' });
  const answer = await voice('/twilio/voice?n=2', { Digits: '', SpeechResult: password });
  return twimlTexts(answer.text, 'Say').join(' ');
}

/** Every key under `prefix` on every master, scanned whole. */
async function everyKey(masters: Array<{ port: number; host?: string }>, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const { host = '127.0.0.1', port } of masters) {
    const client = new Redis({ host, port, maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, page] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        keys.push(...page);
      } while (cursor !== '0');
    } finally {
      client.disconnect();
    }
  }
  return keys;
}

async function eraseAndScan(app: App, masters: () => Promise<Array<{ port: number; host?: string }>>, prefix: string): Promise<void> {
  const user = uniquePhone();
  const other = uniquePhone();
  const call = await leaveTraces(app, user);
  const otherCall = await leaveTraces(app, other);
  const naming = (keys: string[], phone: string, callSid: string) => keys.filter((key) => key.includes(phone.slice(1)) || key.includes(callSid));

  const before = await everyKey(await masters(), prefix);
  // Sessions, deliveries, replay marks, tokens of both scopes, back-off, a call's scratch values.
  expect(naming(before, user, call).length).toBeGreaterThanOrEqual(15);
  expect(naming(before, user, call).some((key) => key.includes(':t:') && key.includes(':c:'))).toBe(true);
  expect(naming(before, user, call).some((key) => key.includes(':k:authfail:'))).toBe(true);
  expect(naming(before, user, call).some((key) => key.includes(':k:voice:'))).toBe(true);
  expect(naming(before, user, call).some((key) => key.includes(':k:linkof:'))).toBe(true);
  // Two pending links' records (one each), which name nobody.
  expect(before.filter((key) => key.startsWith(`${prefix}:k:link:`))).toHaveLength(2);

  // What an operator sees first: the SMS conversation waits on its link, which show never gives.
  const shown = await fetch(`${app.url}/admin/conversations/sms/${encodeURIComponent(user)}`, { headers: { authorization: `Bearer ${adminToken}` } });
  const text = await shown.text();
  expect(JSON.parse(text).conversations[0].waiting).toMatchObject({ kind: 'sign-in-link', definition: 'web', code: true, tries: 0 });
  expect(JSON.parse(text).accounts).toEqual([expect.objectContaining({ definition: 'acme', scope: 'user', account: 'ada' })]);
  expect(text).not.toContain('session=s1');
  expect(text).not.toContain('tok-');

  for (const channel of ['sms', 'phone']) {
    const answer = await fetch(`${app.url}/admin/users/${channel}/${encodeURIComponent(user)}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(answer.status).toBe(204);
  }

  const after = await everyKey(await masters(), prefix);
  expect(naming(after, user, call)).toEqual([]);
  // The user's link record went with the user; the other's stays.
  expect(after.filter((key) => key.startsWith(`${prefix}:k:link:`))).toHaveLength(1);
  // The other user keeps all they had.
  expect(naming(after, other, otherCall).sort()).toEqual(naming(before, other, otherCall).sort());
  expect(naming(after, other, otherCall).length).toBeGreaterThanOrEqual(15);
}

describe('erasing a user on one Redis', () => {
  it('leaves no key naming the user, and every key of another', async () => {
    const prefix = testKeyPrefix('erase');
    const url = new URL(testRedisUrl());
    const app = await appOn(createRedisStore({ url: testRedisUrl(), prefix, cipher }), await signInBot());
    try {
      await eraseAndScan(app, async () => [{ host: url.hostname, port: Number(url.port) }], prefix);
    } finally {
      await app.close();
    }
  });
});

describe('erasing a user on a Redis Cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('leaves no key naming the user on any master, and every key of another', async () => {
    const prefix = testKeyPrefix('erase-cluster');
    const app = await appOn(createRedisStore({ clusterNodes: cluster.seeds, prefix, cipher, failoverWithinMs: 6_000 }), await signInBot());
    const masters = async () => {
      const client = new Redis({ host: '127.0.0.1', port: cluster.nodes[0]!.port });
      try {
        const slots = await client.cluster('SLOTS');
        const ports = new Set(slots.map(([, , master]) => master?.[1]).filter((port) => port !== undefined));
        expect(ports.size).toBe(3);
        return [...ports].map((port) => ({ port }));
      } finally {
        client.disconnect();
      }
    };
    try {
      await eraseAndScan(app, masters, prefix);
    } finally {
      await app.close();
    }
  }, 30_000);
});
