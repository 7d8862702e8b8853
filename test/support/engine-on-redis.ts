// What the component tests share: an engine on a real Redis (a key prefix of its own per
// engine, so tests cannot see each other's sessions or tokens), stand-in services on loopback,
// a log that keeps every record, and a short way to write a bot.
import type { Outbound } from '../../src/http/outbound.js';
import { afterEach } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { readSettings } from '../../src/config.js';
import { createEngine } from '../../src/create-engine.js';
import { smtpMailer, type Mailer } from '../../src/effects/mailer.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { Log } from '../../src/runtime/log.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import type { Store } from '../../src/stores/store.js';
import { createCipher } from '../../src/stores/cipher.js';
import { botOf } from './conversation.js';
import { testKeyPrefix, testRedisUrl } from './redis.js';
import { startStandIn, type StandInService } from './stand-in-service.js';

/** The environment most tests run with: loopback reachable, one bot secret. */
export const testEnv = { ALLOW_PRIVATE_NETWORKS: 'true', BOT_SECRET_CLIENT_ID: 'client-7f3a' };

/** A TOKEN_ENCRYPTION_KEY for tests: 32 bytes, base64. */
export const testEncryptionKey = Buffer.alloc(32, 7).toString('base64');

export interface EngineOnRedis {
  engine: Engine;
  store: Store;
  prefix: string;
  /** The Redis key of a `scope: "user"` token of an SMS user. */
  tokenKey(definition: string, user?: string): string;
  /** Caches a token for an SMS user, as an earlier sign-in would have. */
  seedToken(definition: string, token: string, account?: string, user?: string): Promise<void>;
}

export interface EngineOptions {
  env?: NodeJS.ProcessEnv;
  /** TOKEN_ENCRYPTION_KEY: seals tokens in Redis (and secret answers between turns). */
  encryptionKey?: string;
  log?: Log;
  /** The engine's clock (back-off and session timeouts read it); Redis TTLs stay real. */
  clock?: () => number;
  /** Wraps or replaces the network for outbound calls. */
  outbound?: Outbound;
}

/** What an engine takes of the settings `env` would give (BOT_SECRET_*, ALLOW_PRIVATE_NETWORKS, SMTP_URL). */
export function engineSettings(env: NodeJS.ProcessEnv): { secrets: Readonly<Record<string, string>>; allowPrivateNetworks: boolean; mailer?: Mailer } {
  const settings = readSettings(env);
  return { secrets: settings.botSecrets, allowPrivateNetworks: settings.allowPrivateNetworks, ...(settings.smtpUrl && { mailer: smtpMailer(settings.smtpUrl) }) };
}

/** Engines on Redis for the tests of one file; each test's stores are closed after it. */
export function enginesOnRedis(label: string): (bot: Bot, options?: EngineOptions) => EngineOnRedis {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  return (bot, options = {}) => {
    const prefix = testKeyPrefix(label);
    const cipher = options.encryptionKey === undefined ? undefined : createCipher(options.encryptionKey);
    const store = createRedisStore({ url: testRedisUrl(), prefix, ...(cipher && { cipher }) });
    opened.push(store);
    const engine = createEngine({
      bot,
      store,
      ...engineSettings(options.env ?? testEnv),
      ...(cipher && { cipher }),
      ...(options.log && { log: options.log }),
      ...(options.clock && { clock: options.clock }),
      ...(options.outbound && { outbound: options.outbound }),
    });
    return {
      engine,
      store,
      prefix,
      tokenKey: (definition, user = '+15550100001') => `${prefix}:t:${bot.id}:${definition}:u:twilio:sms:${user}`,
      seedToken: (definition, token, account = 'ada', user = '+15550100001') =>
        store.tokens.set(`${bot.id}:${definition}:u:twilio:sms:${user}`, { token, account }, 600),
    };
  };
}

/** Stand-in services for the tests of one file; closed after each test. */
export function standIns(): () => Promise<StandInService> {
  const started: StandInService[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((service) => service.close()));
  });
  return async () => {
    const service = await startStandIn();
    started.push(service);
    return service;
  };
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  message: string | undefined;
}

/** A Log that keeps every call, to search what would have been written. */
export function capturingLog(): Log & { records: LogRecord[]; text(): string } {
  const records: LogRecord[] = [];
  const keep = (level: LogRecord['level']) => (fields: object, message?: string) => {
    records.push({ level, fields, message });
  };
  return {
    records,
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    /** Every record as JSON, errors with their message, stack and cause. */
    text: () => records.map((record) => JSON.stringify(record, withErrors)).join('\n'),
  };
}

function withErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { ...value, name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  return value;
}

/** A bot with one script, `main`, plus any others and auth token definitions. */
export function botWith(parts: {
  id?: string;
  authTokens?: Record<string, unknown>;
  steps: unknown[];
  scripts?: Record<string, { steps: unknown[] }>;
  triggers?: unknown[];
}): Bot {
  return botOf({
    format: 1,
    id: parts.id ?? 'test-bot',
    name: 'Test bot',
    start: 'main',
    ...(parts.triggers && { triggers: parts.triggers }),
    authTokens: parts.authTokens ?? {},
    scripts: { main: { steps: parts.steps }, ...parts.scripts },
  });
}
