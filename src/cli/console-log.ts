// The engine's warnings and errors in `parley chat`, one line each on standard error: what the
// server would log as JSON (a placeholder with no value, a call that needs a token nobody
// has, an answer whose token is not where tokenPath says), told to the author who is typing.
import { ParleyError } from '../runtime/errors.js';
import type { Log } from '../runtime/log.js';

export function consoleLog(write: (text: string) => void): Log {
  const line = (level: string) => (fields: object, message?: string) => write(`${level}: ${message ?? ''}${details(fields)}\n`);
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}

/** The fields an author can act on; never the conversation key (it holds the user's id). */
function details(fields: object): string {
  const shown: string[] = [];
  const f = fields as Record<string, unknown>;
  const step = f['step'];
  if (typeof step === 'object' && step !== null && 'script' in step && 'step' in step) shown.push(`step ${String(step.script)}#${String(step.step)}`);
  if (typeof f['token'] === 'string') shown.push(`auth token "${f['token']}"`);
  if (Array.isArray(f['tokens'])) shown.push(`auth tokens ${f['tokens'].map((t) => `"${String(t)}"`).join(', ')}`);
  if (typeof f['variable'] === 'string') shown.push(`variable ${f['variable']}`);
  const err = f['err'];
  if (typeof err === 'string') shown.push(err);
  // A library's message may quote what it failed on, which may be what a user typed: only
  // Parley's own (which never hold values) and a system error's are told, as the server does.
  else if (err instanceof Error) shown.push(err instanceof ParleyError || typeof (err as { code?: unknown }).code === 'string' ? err.message : err.name);
  return shown.length === 0 ? '' : ` (${shown.join('; ')})`;
}
