// The server's pino logger. Redaction is by field name at every depth we log: what users type
// (Body, Digits, SpeechResult), platform signatures, tokens and passwords never reach a line.
import { pino, type DestinationStream, type Logger } from 'pino';

const secretFields = [
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
];

// pino's wildcards match one level each; log records here are at most three levels deep.
const redactPaths = [
  ...secretFields.flatMap((field) => {
    // Dashed names (headers) need the bracket form.
    const key = /^\w+$/.test(field) ? `.${field}` : `["${field}"]`;
    return ['', '*', '*.*', '*.*.*'].map((prefix) => (prefix === '' ? key.replace(/^\./, '') : prefix + key));
  }),
  // body-parser errors carry the raw body they failed on.
  'err.body',
];

export function createLogger(env: NodeJS.ProcessEnv, destination?: DestinationStream): Logger {
  const options = { level: env.LOG_LEVEL?.trim() || 'info', redact: { paths: redactPaths, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
