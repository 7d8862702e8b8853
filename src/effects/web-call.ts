// The effect half of a Web Service step: the interpreter said what request goes out (templates
// and the conversation's values); this adds the token where the author placed `{authtoken}`
// and `{secret.*}`, calls the API and saves parts of its answer.
import type { EffectTurn } from '../runtime/drive.js';
import type { Effect, EffectResult } from '../runtime/effect.js';
import type { JsonValue } from '../json.js';
import { renderJsonBody } from '../templates/json-body.js';
import { renderHeader, renderUrl } from '../templates/render.js';
import { requestPlaceholders } from '../templates/request-placeholders.js';
import type { EffectDeps } from './effect-deps.js';
import { savedVars } from './saved-vars.js';
import { readToken } from './token-cache.js';
import { tokenParts } from './token-parts.js';
import { isStale, refreshToken } from './token-refresh.js';

type WebResult = Extract<EffectResult, { type: 'web.call' }>;

const maxResponseBytes = 1024 * 1024;

export async function webCall(deps: EffectDeps, turn: EffectTurn, effect: Extract<Effect, { type: 'web.call' }>): Promise<WebResult> {
  const first = await callOnce(deps, turn, effect);
  // An OAuth token the API refused is refreshed once, silently, and the call made again once.
  if (first.ok || !first.unauthorized || first.status !== 401 || effect.token === undefined) return first;
  const definition = turn.bot.authTokens[effect.token];
  if (definition?.mode !== 'oauth') return first;
  const record = await readToken(deps, turn, effect.token, definition);
  if (record?.refresh === undefined) return first;
  const fresh = await refreshToken(deps, turn, effect.token, definition, { ...record, expiresAt: 0 });
  return fresh === undefined ? first : callOnce(deps, turn, effect);
}

async function callOnce(deps: EffectDeps, turn: EffectTurn, effect: Extract<Effect, { type: 'web.call' }>): Promise<WebResult> {
  const { request } = effect;

  // Tokens are read before rendering, so templates render synchronously from one lookup.
  const tokens = new Map<string, string>();
  const absent = new Set<string>();
  for (const name of requestPlaceholders(request).filter((placeholder) => placeholder === 'authtoken' || placeholder.startsWith('authtoken.'))) {
    const definitionId = name === 'authtoken' ? effect.token : name.slice('authtoken.'.length);
    if (definitionId === undefined) {
      // {authtoken} with no step token and none acquired yet in this conversation.
      deps.log.warn({ step: effect.step }, 'a web service call uses {authtoken} before any token was acquired; give the step an "authToken" or sign in first');
      return failure('no token to use');
    }
    const definition = turn.bot.authTokens[definitionId];
    if (definition === undefined) continue;
    let record = await readToken(deps, turn, definitionId, definition);
    if (record !== undefined && isStale(record, turn.now)) record = definition.mode === 'oauth' ? await refreshToken(deps, turn, definitionId, definition, record) : undefined;
    deps.metrics.tokenLookup(record !== undefined);
    if (record !== undefined) tokens.set(name, record.token);
    else absent.add(definitionId);
  }
  // A call never goes out with a token left empty. The step's own token can be asked for (the
  // component signs the user in); another definition's ({authtoken.ID}) cannot, here.
  if (effect.token !== undefined && absent.has(effect.token)) {
    return { type: 'web.call', ok: false, unauthorized: true, reason: 'no token cached' };
  }
  if (absent.size > 0) {
    deps.log.warn({ step: effect.step, tokens: [...absent] }, 'a web service call needs a token this user does not have; sign in with an authToken step first');
    return failure('no token cached');
  }

  const lookup = (name: string): JsonValue | undefined => {
    const token = tokens.get(name);
    if (token !== undefined) return token;
    if (name.startsWith('secret.')) return deps.secret(name.slice('secret.'.length));
    return Object.hasOwn(request.values, name) ? request.values[name] : undefined;
  };
  const missing = (name: string) => deps.log.warn({ step: effect.step }, `{${name}} has no value in a web service call`);

  let url: string;
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  try {
    url = renderUrl(request.url, lookup, missing);
    if (request.body !== undefined) {
      body = JSON.stringify(renderJsonBody(request.body, lookup, missing));
      headers['content-type'] = 'application/json';
    }
    for (const [name, template] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = renderHeader(template, lookup, missing);
  } catch (error) {
    deps.log.warn({ step: effect.step, err: error instanceof Error ? error.message : String(error) }, 'the web service request could not be built');
    return failure('the request could not be built');
  }

  const started = performance.now();
  const masked = [...[...tokens.values()].flatMap(tokenParts), ...secretValues(requestPlaceholders(request), deps)];
  const answer = await deps.outbound(
    { method: request.method, url, headers, ...(body === undefined ? {} : { body }), timeoutMs: request.timeoutSeconds * 1000, maxBytes: maxResponseBytes },
    { kind: 'web-service', step: `${effect.step.script}#${effect.step.step}`, ...(effect.token === undefined ? {} : { definition: effect.token }), masked },
  );
  const seconds = (performance.now() - started) / 1000;
  if (!answer.ok) {
    deps.metrics.webCall('error', seconds);
    deps.log.info({ step: effect.step, error: answer.error }, 'web service call failed');
    return failure(answer.error);
  }
  if (answer.status === 401) {
    deps.metrics.webCall('unauthorized', seconds);
    // Only a token from the cache can be stale; one acquired in this very turn was just refused.
    const cached = effect.token !== undefined && !turn.acquired.has(effect.token);
    return { type: 'web.call', ok: false, status: 401, unauthorized: cached, reason: 'unauthorized' };
  }
  if (answer.status < 200 || answer.status >= 300) {
    deps.metrics.webCall('error', seconds);
    deps.log.info({ step: effect.step, status: answer.status }, 'web service answered with an error');
    return { type: 'web.call', ok: false, status: answer.status, unauthorized: false, reason: `status ${answer.status}` };
  }
  let data: unknown;
  if (request.save !== undefined && Object.keys(request.save).length > 0) {
    try {
      data = JSON.parse(answer.body);
    } catch {
      deps.metrics.webCall('error', seconds);
      deps.log.warn({ step: effect.step, status: answer.status }, `the API answered ${answer.status} with a body that is not JSON, so "save" cannot read it: the call counts as failed`);
      return { type: 'web.call', ok: false, status: answer.status, unauthorized: false, reason: 'the answer is not JSON' };
    }
  }
  const vars = savedVars(deps, data, request.save, [...tokens.values()].flatMap(tokenParts));
  if (vars === undefined) {
    deps.metrics.webCall('error', seconds);
    return { type: 'web.call', ok: false, status: answer.status, unauthorized: false, reason: 'the answer is too deep or too large to save' };
  }
  deps.metrics.webCall('ok', seconds);
  return { type: 'web.call', ok: true, status: answer.status, vars };
}

function failure(reason: string): WebResult {
  return { type: 'web.call', ok: false, unauthorized: false, reason };
}

function secretValues(placeholders: readonly string[], deps: EffectDeps): string[] {
  return placeholders.filter((name) => name.startsWith('secret.')).flatMap((name) => deps.secret(name.slice('secret.'.length)) ?? []);
}
