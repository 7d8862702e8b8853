// The calls of an email sign-in (mode email), as Bazaarvoice's hosted email authentication makes
// them: the link is mailed by Parley (`mail`, through the Mailer) or by the service (`sendUrl`
// gets {"email", "callback_url"}); the link's page then confirms it with `confirmUrl`, whose
// answer holds the (encrypted) user token. The address is in every call's `masked` list, and no
// log line here holds it, a code or anything the service answered.
import type { EmailDefinition } from '../bot/schema.js';
import type { JsonValue } from '../json.js';
import { renderHeader, renderText, renderUrl } from '../templates/render.js';
import type { TokenRecord } from '../stores/store.js';
import { maskAddress } from '../sign-in/email-address.js';
import { authRequest } from './auth-request.js';
import type { EffectDeps } from './effect-deps.js';
import { MailRefused } from './mailer.js';
import { readSafely } from './saved-vars.js';
import { isValid } from './web-flow.js';

export type MailOutcome = 'sent' | 'undeliverable' | 'unavailable';
export type Confirmed = { ok: true; record: TokenRecord; ttlSeconds: number } | { ok: false; reason: 'refused' | 'unavailable' };

/** One call's view: the definition, and the conversation's values and `{secret.*}` for its templates. */
export interface EmailCall {
  definitionId: string;
  definition: EmailDefinition;
  lookup: (name: string) => JsonValue | undefined;
}

type Deps = Pick<EffectDeps, 'outbound' | 'log' | 'secret' | 'mailer'>;

/** Parley mails the link itself (no `sendUrl`): `mail`'s templates, `{link}` the link, to `to` only. */
export async function mailTheLink(deps: Deps, call: EmailCall, to: string, link: string): Promise<MailOutcome> {
  const { definitionId: token, definition } = call;
  if (deps.mailer === undefined || definition.mail === undefined) {
    deps.log.error({ token }, 'a sign-in link cannot be mailed: SMTP_URL is not set (give the definition "sendUrl", or set SMTP_URL)');
    return 'unavailable';
  }
  const lookup = withNames(call.lookup, { link, email: to });
  const missing = (name: string) => deps.log.warn({ token }, `{${name}} has no value in the mail of the auth token definition "${token}"`);
  try {
    const { from, subject, text } = definition.mail;
    await deps.mailer.send({ from: renderText(from, lookup, missing), to, subject: renderText(subject, lookup, missing), text: renderText(text, lookup, missing) });
    return 'sent';
  } catch (error) {
    if (error instanceof MailRefused) {
      deps.log.info({ token, to: maskAddress(to) }, 'the mail server refused the address a sign-in link was to go to');
      return 'undeliverable';
    }
    // A MailFailed names nodemailer's code only; anything else, its type only (a message may quote the address).
    deps.log.warn({ token, err: error instanceof Error ? (error.name === 'MailFailed' ? error.message : error.name) : 'error' }, 'a sign-in link could not be mailed');
    return 'unavailable';
  }
}

/** The service mails the link (`sendUrl`): it gets the address and where its link must lead back to. */
export async function askServiceToMail(deps: Deps, call: EmailCall, to: string, callbackUrl: string): Promise<MailOutcome> {
  const { definitionId: token, definition } = call;
  if (definition.sendUrl === undefined) return 'unavailable';
  const { lookup, masked } = masking(withNames(call.lookup, { email: to, code: '' }), [to, callbackUrl]);
  let url: string;
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  try {
    for (const [name, template] of Object.entries(definition.headers ?? {})) headers[name.toLowerCase()] = renderHeader(template, lookup, () => undefined);
    url = renderUrl(definition.sendUrl, lookup, () => undefined);
  } catch (error) {
    deps.log.warn({ token, err: error instanceof Error ? error.message : String(error) }, 'the request to sendUrl could not be built');
    return 'unavailable';
  }
  const answer = await deps.outbound(
    { method: 'POST', url, headers, body: JSON.stringify({ email: to, callback_url: callbackUrl }), timeoutMs: definition.timeout * 1000 },
    { kind: 'sign-in', definition: token, masked },
  );
  if (!answer.ok || answer.status >= 500) return 'unavailable';
  // The service turned the address down (malformed for it, unknown, blocked): the user may give another.
  if (answer.status >= 400 || isRefusal(parsed(answer.body), definition)) {
    deps.log.info({ token, status: answer.status }, 'the service did not mail the sign-in link');
    return 'undeliverable';
  }
  return answer.status >= 200 && answer.status < 300 ? 'sent' : 'unavailable';
}

/**
 * The button on the link's page was pressed: `confirmUrl` gets `{code}` (the service's own code
 * from its mailed link, or Parley's) and `{email}`, and answers the user token at `tokenPath`.
 * A 4xx, `HasErrors: true`, a non-empty `errorPath`, a `validPath` that is not true, or no token
 * is a refusal; no answer, a 5xx or an answer that is not JSON, unavailable.
 */
export async function confirmEmail(deps: Deps, call: EmailCall, code: string, email: string): Promise<Confirmed> {
  const { definitionId: token, definition } = call;
  const { lookup, masked } = masking(withNames(call.lookup, { code, email }), [code, email]);
  let request;
  try {
    request = authRequest({ method: definition.method, url: definition.confirmUrl, encoding: definition.encoding, fields: definition.fields, headers: definition.headers }, {}, lookup, (name) =>
      deps.log.warn({ token }, `{${name}} has no value in the confirm call of the auth token definition "${token}"`),
    );
  } catch (error) {
    deps.log.warn({ token, err: error instanceof Error ? error.message : String(error) }, 'the confirm request could not be built');
    return { ok: false, reason: 'unavailable' };
  }
  const answer = await deps.outbound(
    {
      method: definition.method,
      url: request.url,
      headers: { accept: 'application/json', ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
      timeoutMs: definition.timeout * 1000,
    },
    { kind: 'sign-in', definition: token, masked },
  );
  if (!answer.ok || answer.status >= 500) return { ok: false, reason: 'unavailable' };
  if (answer.status >= 400) {
    deps.log.info({ token, status: answer.status }, 'the auth service refused the sign-in link');
    return { ok: false, reason: 'refused' };
  }
  const data = parsed(answer.body);
  if (data === undefined) {
    deps.log.warn({ token, status: answer.status }, 'the confirm call answered with a body that is not JSON');
    return { ok: false, reason: 'unavailable' };
  }
  if (isRefusal(data, definition) || (definition.validPath !== undefined && !isValid(readSafely(data, definition.validPath)))) {
    deps.log.info({ token, code: errorCode(data, definition) }, 'the auth service refused the sign-in link');
    return { ok: false, reason: 'refused' };
  }
  const found = readSafely(data, definition.tokenPath);
  const value = typeof found === 'string' ? found.trim() : typeof found === 'number' ? String(found) : '';
  if (value === '') {
    deps.log.warn({ token }, `the confirm call answered ${answer.status} with no token at tokenPath "${definition.tokenPath}": the sign-in counts as refused`);
    return { ok: false, reason: 'refused' };
  }
  // The account the user sees ({account}) is the address, masked: the store keeps it with the token, and sessions hold it.
  return { ok: true, record: { token: value, account: maskAddress(email) }, ttlSeconds: definition.ttl };
}

/** Bazaarvoice's way of saying no with a 200: `HasErrors: true`, or something under `errorPath` (`Errors`). */
function isRefusal(data: unknown, definition: EmailDefinition): boolean {
  if (data !== null && typeof data === 'object' && (data as Record<string, unknown>)['HasErrors'] === true) return true;
  if (definition.errorPath === undefined) return false;
  const errors = readSafely(data, definition.errorPath);
  if (errors === undefined || errors === null || errors === '' || errors === false) return false;
  if (Array.isArray(errors)) return errors.length > 0;
  if (typeof errors === 'object') return Object.keys(errors).length > 0;
  return true;
}

/** The refusal's code (ERROR_BAD_REQUEST), for the operator's log: only when it looks like a code, never a sentence. */
function errorCode(data: unknown, definition: EmailDefinition): string | undefined {
  const errors = definition.errorPath === undefined ? undefined : readSafely(data, definition.errorPath);
  const first: unknown = Array.isArray(errors) ? errors[0] : errors;
  const code = first !== null && typeof first === 'object' ? (first as Record<string, unknown>)['Code'] : first;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code) ? code : undefined;
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The call's own names before the conversation's: `{code}`, `{email}`, `{link}`. */
function withNames(lookup: EmailCall['lookup'], names: Record<string, string>): EmailCall['lookup'] {
  return (name) => (Object.hasOwn(names, name) ? names[name] : lookup(name));
}

/** The lookup, noting every `{secret.*}` it gives, so they are masked with `values` wherever the call is shown. */
function masking(lookup: EmailCall['lookup'], values: string[]): { lookup: EmailCall['lookup']; masked: string[] } {
  const masked = [...values];
  return {
    masked,
    lookup: (name) => {
      const value = lookup(name);
      if (name.startsWith('secret.') && typeof value === 'string') masked.push(value);
      return value;
    },
  };
}
