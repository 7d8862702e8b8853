// Botize's web-based authentication, as the `web` mode speaks it: `beginUrl` (the product's
// begin_authenticate_user) names the page to send the user to and data to keep until the user
// comes back; `endUrl` (end_authenticate_user) gets that data and everything the service put in
// the callback's query, and gives the verdict, the account and the token.
import type { WebDefinition } from '../bot/schema.js';
import type { Outbound } from '../http/outbound.js';
import type { JsonValue } from '../json.js';
import type { User } from '../runtime/turn.js';
import { renderHeader, renderUrl } from '../templates/render.js';
import { readSafely } from './saved-vars.js';

export type WebBegin = { ok: true; link: string; temp: JsonValue } | { ok: false };
export type WebEnd = { ok: true; token: string; account: string } | { ok: false; reason: 'refused' | 'unavailable' };

interface Call {
  outbound: Outbound;
  definitionId: string;
  definition: WebDefinition;
  lookup: (name: string) => JsonValue | undefined;
  /** `{secret.*}` values the headers may carry. */
  masked: string[];
}

export async function beginWebSignIn(call: Call, callbackUrl: string, user: User): Promise<WebBegin> {
  const answer = await post(call, call.definition.beginUrl, { callback_url: callbackUrl, user_id: user.id, channel: user.channel });
  if (answer === undefined) return { ok: false };
  const link = readSafely(answer, call.definition.linkPath);
  if (typeof link !== 'string' || !isWebLink(link)) return { ok: false };
  const temp = readSafely(answer, call.definition.tempPath);
  return { ok: true, link, temp: (temp ?? null) as JsonValue };
}

export async function endWebSignIn(call: Call, temp: JsonValue, serviceData: Record<string, string>): Promise<WebEnd> {
  const answer = await post(call, call.definition.endUrl, { saved_temp_data: temp, service_data: serviceData });
  if (answer === undefined) return { ok: false, reason: 'unavailable' };
  if (!isValid(readSafely(answer, call.definition.validPath))) return { ok: false, reason: 'refused' };
  const token = readSafely(answer, call.definition.tokenPath);
  // Botize keeps `auth_data_to_save` as it comes: an object is kept as its JSON.
  const text = typeof token === 'string' ? token.trim() : typeof token === 'number' ? String(token) : typeof token === 'object' && token !== null ? JSON.stringify(token) : '';
  if (text === '') return { ok: false, reason: 'refused' };
  const account = readSafely(answer, call.definition.accountPath);
  return { ok: true, token: text, account: typeof account === 'string' || typeof account === 'number' ? String(account) : call.definitionId };
}

/** Botize's `valid_credentials`: `true` or `"true"`; anything else (absent included) is a refusal. */
export function isValid(verdict: unknown): boolean {
  return verdict === true || verdict === 'true';
}

function isWebLink(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The parsed JSON answer of a 2xx, else undefined (and a 4xx from endUrl is a refusal the caller cannot tell apart: unavailable). */
async function post(call: Call, url: string, body: JsonValue): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  for (const [name, template] of Object.entries(call.definition.headers ?? {})) headers[name.toLowerCase()] = renderHeader(template, call.lookup, () => undefined);
  const answer = await call.outbound(
    { method: 'POST', url: renderUrl(url, call.lookup, () => undefined), headers, body: JSON.stringify(body), timeoutMs: call.definition.timeout * 1000 },
    { kind: 'sign-in', definition: call.definitionId, masked: call.masked },
  );
  if (!answer.ok || answer.status < 200 || answer.status >= 300) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}
