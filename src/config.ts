// Every setting of shared/spec/server.md, read once from the environment at an entry point
// (serve, chat, demo) and passed down typed: nothing below the entry points reads the
// environment. A bad value is refused at start with the variable's name and what to write.
import * as z from 'zod';
import { createCipher, type Cipher } from './stores/cipher.js';

const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value);
const text = z.preprocess(blankIsUnset, z.string().optional());
const flag = z.preprocess(blankIsUnset, z.string().optional()).transform((value, ctx) => {
  if (value === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  ctx.addIssue({ code: 'custom', message: 'write true or false' });
  return z.NEVER;
});
const wholeNumber = (min: number, max: number, what: string) =>
  z.preprocess(blankIsUnset, z.string().optional()).transform((value, ctx) => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isFinite(number) || !Number.isInteger(number) || number < min || number > max) {
      ctx.addIssue({ code: 'custom', message: `write ${what}` });
      return z.NEVER;
    }
    return number;
  });
const httpUrl = z.preprocess(blankIsUnset, z.string().optional()).refine((value) => value === undefined || /^https?:\/\/[^/\s]+/i.test(value), 'write an http:// or https:// URL');

const withoutTrailingSlash = (url: string | undefined) => url?.replace(/\/+$/, '');

/** Whether `text` is a URL; never throws (the parser's error would quote it, password included). */
function parses(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

const schema = z.object({
  PORT: wholeNumber(0, 65_535, 'a port number from 0 to 65535'),
  BOT_FILE: text,
  BOT_DIR: text,
  REDIS_URL: z.preprocess(blankIsUnset, z.string().optional()).refine((value) => value === undefined || (/^rediss?:\/\//i.test(value) && parses(value)), 'write a redis:// or rediss:// URL'),
  REDIS_CLUSTER_NODES: z
    .preprocess(blankIsUnset, z.string().optional())
    .refine((value) => value === undefined || value.split(',').every((node) => node.trim() === '' || parses(/^rediss?:\/\//i.test(node.trim()) ? node.trim() : `redis://${node.trim()}`)), 'write host:port (or redis://host:port) nodes, separated by commas'),
  PUBLIC_URL: httpUrl,
  TWILIO_API_URL: httpUrl,
  META_GRAPH_URL: httpUrl,
  SHUTDOWN_GRACE_SECONDS: wholeNumber(0, 3_600, 'a number of seconds from 0 to 3600'),
  TWILIO_AUTH_TOKEN: text,
  TWILIO_ACCOUNT_SID: text,
  TWILIO_VALIDATE: z.preprocess(blankIsUnset, z.string().optional()).transform((value) => value?.toLowerCase() !== 'false'),
  BOT_FRAMEWORK_EMULATOR: flag,
  MicrosoftAppId: text,
  META_APP_SECRET: text,
  META_VERIFY_TOKEN: text,
  META_ACCESS_TOKEN: text,
  META_PHONE_NUMBER_ID: text,
  TOKEN_ENCRYPTION_KEY: text,
  ALLOW_UNENCRYPTED_TOKENS: flag,
  ALLOW_PRIVATE_NETWORKS: flag,
  LOG_LEVEL: z.preprocess(blankIsUnset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  SMTP_URL: z.preprocess(blankIsUnset, z.string().optional()).refine((value) => value === undefined || (/^smtps?:\/\//i.test(value) && parses(value)), 'write an smtp:// or smtps:// URL'),
  ADMIN_TOKEN: z.preprocess(blankIsUnset, z.string().min(32, 'use at least 32 characters').optional()),
});

/** The settings, typed. Names follow the spec's variables. */
export interface Settings {
  port: number | undefined;
  botFile: string | undefined;
  botDir: string | undefined;
  redis: { url: string } | { clusterNodes: string[] } | undefined;
  publicUrl: string | undefined;
  /** `apiUrl`: TWILIO_API_URL, unset for the SDK's own https://api.twilio.com. */
  twilio: { authToken: string | undefined; accountSid: string | undefined; validate: boolean; apiUrl: string | undefined };
  /** Everything botbuilder reads itself (MicrosoftAppId, …, ToBotFromChannelOpenIdMetadataUrl, …). */
  botFramework: { appId: string | undefined; emulator: boolean; options: Record<string, string> };
  /** `graphUrl`: META_GRAPH_URL, unset for https://graph.facebook.com/v21.0. */
  meta: { appSecret: string | undefined; verifyToken: string | undefined; accessToken: string | undefined; phoneNumberId: string | undefined; graphUrl: string | undefined };
  shutdownGraceSeconds: number;
  /** TOKEN_ENCRYPTION_KEY's cipher, when the key is set. */
  cipher: Cipher | undefined;
  allowUnencryptedTokens: boolean;
  allowPrivateNetworks: boolean;
  logLevel: string;
  /** `{secret.NAME}`: BOT_SECRET_NAME, and no other variable. */
  botSecrets: Readonly<Record<string, string>>;
  smtpUrl: string | undefined;
  adminToken: string | undefined;
}

// botbuilder's own settings, passed to it as they are (its names, its parsing).
const botFrameworkName = /^(Microsoft|ToBot|ToChannel|OAuth|CallerId|ValidateAuthority)/;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads the settings from `env`; throws a SettingsError naming every bad variable. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  // Read once: zod's compiled fast path would cost more than it saves (bot/load.ts).
  const parsed = schema.safeParse(env, { jitless: true });
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
  let cipher: Cipher | undefined;
  const key = env.TOKEN_ENCRYPTION_KEY?.trim();
  if (key) {
    try {
      cipher = createCipher(key);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (!parsed.success || problems.length > 0) {
    // Values are never echoed: some of these are secrets.
    throw new SettingsError(`the settings are not valid:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
  const s = parsed.data;
  const clusterNodes = s.REDIS_CLUSTER_NODES?.split(',').map((node) => node.trim()).filter((node) => node !== '');
  const botSecrets: Record<string, string> = {};
  const botFrameworkOptions: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (name.startsWith('BOT_SECRET_') && /^[A-Za-z0-9_]+$/.test(name.slice('BOT_SECRET_'.length))) botSecrets[name.slice('BOT_SECRET_'.length)] = value;
    if (botFrameworkName.test(name)) botFrameworkOptions[name] = value;
  }
  return {
    port: s.PORT,
    botFile: s.BOT_FILE,
    botDir: s.BOT_DIR,
    redis: clusterNodes !== undefined && clusterNodes.length > 0 ? { clusterNodes } : s.REDIS_URL !== undefined ? { url: s.REDIS_URL } : undefined,
    publicUrl: s.PUBLIC_URL,
    twilio: { authToken: s.TWILIO_AUTH_TOKEN, accountSid: s.TWILIO_ACCOUNT_SID, validate: s.TWILIO_VALIDATE, apiUrl: withoutTrailingSlash(s.TWILIO_API_URL) },
    botFramework: { appId: s.MicrosoftAppId, emulator: s.BOT_FRAMEWORK_EMULATOR, options: botFrameworkOptions },
    meta: { appSecret: s.META_APP_SECRET, verifyToken: s.META_VERIFY_TOKEN, accessToken: s.META_ACCESS_TOKEN, phoneNumberId: s.META_PHONE_NUMBER_ID, graphUrl: withoutTrailingSlash(s.META_GRAPH_URL) },
    shutdownGraceSeconds: s.SHUTDOWN_GRACE_SECONDS ?? 25,
    cipher,
    allowUnencryptedTokens: s.ALLOW_UNENCRYPTED_TOKENS,
    allowPrivateNetworks: s.ALLOW_PRIVATE_NETWORKS,
    logLevel: s.LOG_LEVEL ?? 'info',
    botSecrets,
    smtpUrl: s.SMTP_URL,
    adminToken: s.ADMIN_TOKEN,
  };
}
