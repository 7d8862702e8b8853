// The effect half of an Auth Token: send the answers to the author's auth service, read the
// token out of its answer and cache it. Nothing the service says reaches the user: the
// interpreter only learns ok / refused / unavailable / throttled.
import type { CredentialsDefinition } from '../bot/schema.js';
import type { EffectResult } from '../runtime/effect.js';
import type { EffectTurn } from '../runtime/drive.js';
import { conversationValue } from '../runtime/scope.js';
import type { JsonValue } from '../json.js';
import { authRequest, type AuthRequest } from './auth-request.js';
import type { EffectDeps } from './effect-deps.js';
import { readSafely, savedVars } from './saved-vars.js';
import { accountFailureKey, failureKey } from './token-key.js';
import { saveToken } from './token-cache.js';
import { tokenParts } from './token-parts.js';
import { isValid } from './web-flow.js';

type SignInResult = Extract<EffectResult, { type: 'auth.signIn' }>;

export async function signIn(
  deps: EffectDeps,
  turn: EffectTurn,
  token: string,
  definition: CredentialsDefinition,
  answers: Record<string, string>,
  save: Record<string, string> | undefined,
): Promise<SignInResult> {
  const usedSecrets: string[] = [];
  const lookup = (name: string): JsonValue | undefined => {
    if (name.startsWith('secret.')) {
      usedSecrets.push(name.slice('secret.'.length));
      return deps.secret(name.slice('secret.'.length));
    }
    return conversationValue(turn.session, turn.user, name);
  };
  const missing = (name: string) => deps.log.warn({ token }, `{${name}} has no value in the auth token definition "${token}"`);

  let request: AuthRequest;
  try {
    request = authRequest(definition, answers, lookup, missing);
  } catch (error) {
    // Template errors never carry values, so the message is safe to log.
    deps.log.warn({ token, err: error instanceof Error ? error.message : String(error) }, 'the auth request could not be built');
    return refused('unavailable');
  }
  const { url, headers, body, fields } = request;

  // Counted per sender and per account; the user hears the same pause whichever it is.
  const accountKey = accountFailureKey(token, definition, { answers, fields }, turn, (text) => deps.sealer.fingerprint(text));
  const failures = accountKey === undefined ? [failureKey(token, turn)] : [failureKey(token, turn), accountKey];
  // Tries of one account run one at a time, whoever sends them: guesses sent together from
  // many numbers would otherwise all pass the check before the first refusal is counted.
  const release = accountKey === undefined ? undefined : await deps.store.locks.acquire(`signin:${accountKey}`, (definition.timeout + 5) * 1000, (definition.timeout + 5) * 1000);
  if (accountKey !== undefined && release === undefined) return refused('throttled', 30);
  try {
    const waits = await Promise.all(failures.map((key) => deps.backOff.wait(key, turn.now)));
    const wait = Math.max(0, ...waits);
    if (wait > 0) return refused('throttled', wait);
    return await call(url, headers, body);
  } finally {
    await release?.().catch(() => undefined);
  }

  async function call(url: string, headers: Record<string, string>, body: string | undefined): Promise<SignInResult> {
    const started = performance.now();
    const masked = [
      ...definition.questions.filter((q) => q.secret).flatMap((q) => answers[q.field] ?? []),
      ...usedSecrets.flatMap((name) => deps.secret(name) ?? []),
    ];
    const answer = await deps.outbound(
      { method: definition.method, url, headers: { accept: 'application/json, text/plain;q=0.9', ...headers }, ...(body === undefined ? {} : { body }), timeoutMs: definition.timeout * 1000 },
      { kind: 'sign-in', definition: token, masked },
    );
    deps.log.debug({ token, ms: Math.round(performance.now() - started), status: answer.ok ? answer.status : answer.error }, 'auth service answered');
    if (!answer.ok || answer.status >= 500) return refused('unavailable');
    if (answer.status < 200 || answer.status >= 300) {
      await Promise.all(failures.map((key) => deps.backOff.failed(key, turn.now)));
      return refused('refused');
    }

    let data: unknown;
    let found: unknown;
    if (definition.json) {
      try {
        data = JSON.parse(answer.body);
      } catch {
        deps.log.warn({ token }, `the auth service answered ${answer.status} with a body that is not JSON; if the whole body is the token, set "json": false`);
        return refused('unavailable');
      }
      found = definition.tokenPath === undefined ? undefined : readSafely(data, definition.tokenPath);
    } else {
      found = answer.body.trim();
    }
    const value = tokenText(found);
    if (value === '') {
      // The service accepted, yet no token: most often a tokenPath that names the wrong field.
      const where = definition.json ? `at tokenPath "${definition.tokenPath ?? ''}"` : 'in its body';
      deps.log.warn({ token }, `the auth service answered ${answer.status} with no token ${where}: the try counts as refused`);
      await Promise.all(failures.map((key) => deps.backOff.failed(key, turn.now)));
      return refused('refused');
    }
    // Botize-style services answer 200 with a token-shaped body even for wrong credentials: the
    // verdict at validPath decides, and anything but true is a refusal like a 401.
    if (definition.validPath !== undefined && !isValid(readSafely(data, definition.validPath))) {
      await Promise.all(failures.map((key) => deps.backOff.failed(key, turn.now)));
      return refused('refused');
    }

    const expiresIn = definition.expiresInPath === undefined ? undefined : Number(readSafely(data, definition.expiresInPath));
    const ttl = Math.max(1, Math.floor(Number.isFinite(expiresIn) && expiresIn! > 0 ? Math.min(definition.ttl, expiresIn!) : definition.ttl));
    const account = accountOf(definition, data, answers, value) ?? token;

    // Read before the token is cached: an answer whose parts cannot be kept signs nobody in.
    const vars = savedVars(deps, data, save, tokenParts(value));
    if (vars === undefined) return refused('unavailable');

    await saveToken(deps, turn, token, definition, { token: value, account }, ttl);
    await Promise.all(failures.map((key) => deps.backOff.succeeded(key)));
    turn.acquired.add(token);
    deps.metrics.signIn('ok', definition.mode);
    return { type: 'auth.signIn', ok: true, account, vars };
  }

  function refused(reason: 'refused' | 'unavailable' | 'throttled', retryAfterSeconds?: number): SignInResult {
    deps.metrics.signIn(reason, definition.mode);
    return retryAfterSeconds === undefined ? { type: 'auth.signIn', ok: false, reason } : { type: 'auth.signIn', ok: false, reason, retryAfterSeconds };
  }
}

/**
 * The account's name: where the answer says, else the first answer that is not secret. The
 * name is kept in the session and shown as {account}, so one that holds the token is not used.
 */
function accountOf(definition: CredentialsDefinition, data: unknown, answers: Record<string, string>, token: string): string | undefined {
  if (definition.accountPath !== undefined) {
    const named = readSafely(data, definition.accountPath);
    if ((typeof named === 'string' || typeof named === 'number') && !tokenParts(token).some((part) => String(named).includes(part))) return String(named);
  }
  const first = definition.questions.find((q) => !q.secret);
  return first === undefined ? undefined : answers[first.field];
}

/**
 * The token as the cache keeps it: a string trimmed, a number as written, an object (Botize's
 * `auth_data_to_save`) as its JSON text; nothing else, and no empty object, is a token.
 */
function tokenText(found: unknown): string {
  if (typeof found === 'string') return found.trim();
  if (typeof found === 'number') return String(found);
  if (typeof found === 'object' && found !== null && Object.keys(found).length > 0) return JSON.stringify(found);
  return '';
}
