// What the server tests share: an app on a real Redis (a key prefix of its own) listening on
// loopback, requests signed as each platform signs them, and the shared webhook fixtures.
import type { Cipher } from '../../src/stores/cipher.js';
import type { Engine } from '../../src/runtime/engine.js';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { readSettings } from '../../src/config.js';
import { createEngine } from '../../src/create-engine.js';
import { engineSettings } from '../support/engine-on-redis.js';
import { botRoutes, createApp, type AppOptions } from '../../src/server/create-app.js';
import { createBotsApp, type ServedBot } from '../../src/server/bot-routing.js';
import { scopedStore } from '../../src/stores/scoped-store.js';
import { createLogger } from '../../src/server/log.js';
import { createServerMetrics } from '../../src/server/metrics.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { dumpKeys, rawRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';

/** The shared fixtures (../shared/fixtures beside the project). */
export function fixture<T = Record<string, string>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../shared/fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export const authToken = 'test-auth-token-3b9d1c';
export const accountSid = 'AC00000000000000000000000000000001';

export interface TestApp {
  url: string;
  /** PUBLIC_URL: what Twilio signs. */
  publicUrl: string;
  store: Store;
  /** The app's engine: for what no webhook starts (a conversation resumed unprompted). */
  engine: Engine;
  prefix: string;
  /** Every log line written, as text. */
  logText(): string;
  /** This app's Redis keys and their content, but for the store's own epoch mark. */
  keys(): Promise<Map<string, string>>;
}

type Tuning = { redisUrl?: string; cipher?: Cipher; /** Share another app's keys: two instances of one deployment. */ prefix?: string } & Pick<AppOptions, 'deadlineMs' | 'voiceDeadlineMs' | 'metaDeadlineMs' | 'botFrameworkAuthTimeoutMs' | 'botFrameworkReplyBounds'> & {
  /** The address to listen on; 127.0.0.1 unless a test needs callers that are not on loopback. */
  host?: string;
  /** The engine's clock (token expiry, link expiry, back-off); Redis TTLs stay real. */
  clock?: () => number;
};

/** Apps on Redis for the tests of one file; stopped after each test. */
export function appsOnRedis(): (bot: Bot, env?: NodeJS.ProcessEnv, tuning?: Tuning) => Promise<TestApp> {
  const running: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((stop) => stop()));
  });
  return async (bot, env = {}, { host = '127.0.0.1', ...tuning } = {}) => {
    const fullEnv = { ALLOW_PRIVATE_NETWORKS: 'true', TWILIO_AUTH_TOKEN: authToken, LOG_LEVEL: 'debug', ...env };
    const { redisUrl = testRedisUrl(), prefix = testKeyPrefix('server'), cipher, clock, ...appTuning } = tuning;
    const store = createRedisStore({ url: redisUrl, prefix, ...(cipher && { cipher }) });
    const lines: string[] = [];
    const log = createLogger(readSettings(fullEnv).logLevel, { write: (line: string) => void lines.push(line) });
    const metrics = createServerMetrics();
    let port = 0;
    const engine = createEngine({ bot, store, ...engineSettings(fullEnv), log, metrics, publicUrl: () => `http://localhost:${port}`, ...(cipher && { cipher }), ...(clock && { clock }) });
    const app = createApp({ engine, storeKind: 'redis', settings: readSettings(fullEnv), log, metrics, publicUrl: () => `http://localhost:${port}`, ...appTuning });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, host, () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
    running.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    });
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      publicUrl: `http://localhost:${port}`,
      store,
      engine,
      prefix,
      logText: () => lines.join(''),
      keys: async () => {
        const client = rawRedis();
        try {
          // The store's own epoch mark is written on connecting, whatever the requests did.
          const keys = await dumpKeys(client, `${prefix}:`);
          keys.delete(`${prefix}:epoch`);
          return keys;
        } finally {
          await client.quit();
        }
      },
    };
  };
}

/** Servers of several bots (BOT_DIR) on Redis, each bot scoped as `serve` scopes it; stopped after each test. */
export function botsOnRedis(): (bots: Bot[], env?: NodeJS.ProcessEnv) => Promise<TestApp> {
  const running: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((stop) => stop()));
  });
  return async (bots, env = {}) => {
    const fullEnv = { ALLOW_PRIVATE_NETWORKS: 'true', TWILIO_AUTH_TOKEN: authToken, LOG_LEVEL: 'debug', ...env };
    const prefix = testKeyPrefix('bots');
    const store = createRedisStore({ url: testRedisUrl(), prefix });
    const lines: string[] = [];
    const settings = readSettings(fullEnv);
    const log = createLogger(settings.logLevel, { write: (line: string) => void lines.push(line) });
    const metrics = createServerMetrics();
    let port = 0;
    const publicUrl = () => `http://localhost:${port}`;
    const served: ServedBot[] = bots.map((bot) => {
      const engine = createEngine({ bot, store: scopedStore(store, bot.id), ...engineSettings(fullEnv), log, metrics, publicUrl: () => `${publicUrl()}/bots/${bot.id}` });
      return { id: bot.id, engine, routes: botRoutes({ engine, settings, log, metrics, publicUrl, basePath: `/bots/${bot.id}` }) };
    });
    const app = createBotsApp({
      bots: {
        get: (id) => served.find((bot) => bot.id === id),
        answering: (claim, value) => served.find((bot) => bot.engine.bot.answersFor?.[claim]?.includes(value) === true),
        all: () => served,
      },
      store,
      storeKind: 'redis',
      settings,
      log,
      metrics,
      publicUrl,
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
    running.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    });
    return {
      url: `http://127.0.0.1:${port}`,
      publicUrl: publicUrl(),
      store,
      // The first bot's: what a test of one bot among several reaches directly.
      engine: served[0]!.engine,
      prefix,
      logText: () => lines.join(''),
      keys: async () => {
        const client = rawRedis();
        try {
          const keys = await dumpKeys(client, `${prefix}:`);
          keys.delete(`${prefix}:epoch`);
          return keys;
        } finally {
          await client.quit();
        }
      },
    };
  };
}

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

/** Posts a form as Twilio does: signed over PUBLIC_URL + path (query included) and every field. */
export async function postTwilio(app: Pick<TestApp, 'url' | 'publicUrl'>, path: string, fields: Record<string, string>, token: string | null = authToken): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (token !== null) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(token, app.publicUrl + path, fields);
  const response = await fetch(app.url + path, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Posts JSON signed as Meta signs it (X-Hub-Signature-256 over the raw bytes). */
export async function postMeta(app: Pick<TestApp, 'url'>, body: unknown, secret: string | null): Promise<Answer> {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== null) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const response = await fetch(`${app.url}/meta/webhook`, { method: 'POST', headers, body: raw });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The texts of <Message> (or <Say>) elements of a TwiML answer, in order. */
export function twimlTexts(twiml: string, element: 'Message' | 'Say'): string[] {
  return [...twiml.matchAll(new RegExp(`<${element}[^>]*>([\\s\\S]*?)</${element}>`, 'g'))].map((m) => unescapeXml(m[1] ?? ''));
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Waits until `check` returns a value (not undefined), polling. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, withinMs = 5_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A phone number no other test uses, so conversations never meet. */
export function uniquePhone(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

/** An API that answers every request with `json` after `delayMs` (or the delay for the nth request), counting the requests. */
export async function startSlowService(delayMs: number | ((n: number) => number), json: unknown): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json)), typeof delayMs === 'number' ? delayMs : delayMs(count));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
