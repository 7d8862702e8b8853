// The server's pino logger. No line may carry what users type (Body, Digits, SpeechResult),
// platform signatures, tokens or passwords, at whatever depth a record holds them.
//
// pino's `redact` cannot say "this name at any depth" cheaply: wildcard paths (`*.Body`,
// `*.*.Body`…) are walked on every line, whatever it holds, and cost about 12% of the server's
// CPU under load while the line written on every request (method, path, status, ms) holds none
// of them. So records are checked here instead, field by field: a flat record costs one look-up
// per field, and a copy is made only when a secret is found.
import { createHmac, randomBytes } from 'node:crypto';
import { pino, type DestinationStream, type Logger } from 'pino';
import { ParleyError } from '../runtime/errors.js';
import { requestContext, requestIdsFollowWork } from './request-context.js';

const secretFields = new Set(
  [
    'Body',
    'Digits',
    'SpeechResult',
    'password',
    'pin',
    'token',
    'authToken',
    'accessToken',
    'access_token',
    'secret',
    'signature',
    'authorization',
    'cookie',
    'x-twilio-signature',
    'x-hub-signature-256',
    // body-parser's errors carry the raw body they failed on.
    'body',
  ].map((name) => name.toLowerCase()),
);

const censor = '[redacted]';
// Records here are at most four levels deep; anything deeper (or a cycle) is not looked into
// but censored whole, so the guarantee holds without a bound on the work.
const maxDepth = 8;

/**
 * `value` with every field named as a secret replaced by "[redacted]", at any depth. The same
 * object when it holds none, so the usual record is not copied.
 */
export function withoutSecrets(value: unknown, depth = 0, keep?: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) return censor;
  // What JSON.stringify would write: a Date or URL as its string, a class as its toJSON.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return withoutSecrets((value as { toJSON(): unknown }).toJSON(), depth);
  }
  // Bytes are written as numbers; walking them key by key would cost and find no names.
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const clean = withoutSecrets(item, depth + 1);
      if (clean !== item) (copy ??= value.slice())[i] = clean;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === keep) continue;
    const field = record[key];
    const clean = secretFields.has(key.toLowerCase()) ? censor : withoutSecrets(field, depth + 1);
    if (clean !== field) (copy ??= { ...record })[key] = clean;
  }
  return copy ?? value;
}

// Standard output gets a write per 4 KiB of lines rather than one per line: with a line for
// every request, those writes were about 3% of the server's CPU under load. A quiet server's
// lines still go out within 250 ms, and pino writes what is left when the process exits.
const standardOutput = () => pino.destination({ dest: 1, minLength: 4096, periodicFlush: 250 });

export interface LoggerOptions {
  /**
   * A keyed digest (Cipher.fingerprint): a line's `conversation` is written as a digest of it, so
   * the log can follow a conversation without naming the phone number or user id it holds.
   * With TOKEN_ENCRYPTION_KEY the digests are the same on every instance; absent, a key of this
   * process's own.
   */
  fingerprint?: (text: string) => string;
}

// Channels name a conversation `sms:+1…`, the runtime under its authority `twilio:sms:+1…`:
// both are written as the same id.
const authorityPrefix = /^(twilio|meta|botframework|emulator|unverified|console):/;

/** `level`: LOG_LEVEL (Settings.logLevel). */
export function createLogger(level: string, destination?: DestinationStream, logOptions: LoggerOptions = {}): Logger {
  const fingerprint = logOptions.fingerprint ?? processFingerprint();
  const conversationId = (conversation: string) => `c-${fingerprint(`log conversation:${conversation.replace(authorityPrefix, '')}`).slice(0, 16)}`;
  const options: pino.LoggerOptions = {
    level,
    // Every line written while a request is handled names the request, where its context
    // follows the work (request-context.ts); elsewhere there is none to read on every line.
    ...(requestIdsFollowWork && { mixin: () => requestContext.getStore() ?? {} }),
    formatters: {
      // `err` is left to its serializer below, which pino runs after this.
      log: (record) => {
        const clean = withoutSecrets(record, 0, 'err') as Record<string, unknown>;
        return typeof clean.conversation === 'string' ? { ...clean, conversation: conversationId(clean.conversation) } : clean;
      },
    },
    serializers: { err: errorRecord },
  };
  return pino(options, destination ?? standardOutput());
}

function processFingerprint(): (text: string) => string {
  const key = randomBytes(32);
  return (text) => createHmac('sha256', key).update(text).digest('base64url');
}

/**
 * An error as a log record. A library's message may quote what it failed on (an XML builder
 * quotes the text, a JSON parser the body), which may be what a user typed: only messages that
 * Parley writes itself (ParleyError, which never holds values) or a system error's (a `code`
 * such as ECONNREFUSED, naming at most an address) are kept. The stack keeps its frames.
 */
export function errorRecord(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  const record: Record<string, unknown> = { type: error.name };
  if (typeof code === 'string') record.code = code;
  if (error instanceof ParleyError || typeof code === 'string') record.message = error.message;
  const frames = (error.stack ?? '').split('\n').filter((line) => line.startsWith('    at '));
  if (frames.length > 0) record.stack = frames.join('\n');
  if (error.cause !== undefined) record.cause = errorRecord(error.cause);
  return record;
}
