// Where each cached token lives. A definition with `accounts: "one"` keeps one token per user
// (or conversation: token-key.ts). With `accounts: "several"` each account has its own record,
// TTL and 401 handling, under a keyed digest of its name (so account names, often email
// addresses, are not in key names), plus a sealed list of the names.
import type { AuthTokenDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
import type { TokenRecord } from '../stores/store.js';
import type { EffectDeps } from './effect-deps.js';
import { tokenKey } from './token-key.js';

type TurnKeys = Pick<EffectTurn, 'bot' | 'user' | 'conversation' | 'session'>;

function several(definition: AuthTokenDefinition): boolean {
  return definition.accounts === 'several';
}

function accountKey(deps: Pick<EffectDeps, 'sealer'>, base: string, account: string): string {
  return `${base}:a:${deps.sealer.fingerprint(account.normalize('NFKC').toLowerCase())}`;
}

function listKey(base: string): string {
  return `${base}:accounts`;
}

/** Whether a token key is a definition's list of account names (not a token), for operators. */
export function isAccountList(key: string): boolean {
  return key.endsWith(':accounts');
}

/** The key of the token in use: the definition's one, or the named account's (else the one chosen in this conversation). */
export function tokenKeyFor(deps: Pick<EffectDeps, 'sealer'>, turn: TurnKeys, id: string, definition: AuthTokenDefinition, account?: string): string | undefined {
  const base = tokenKey(id, definition, turn);
  if (!several(definition)) return base;
  const name = account ?? turn.session.accounts?.[id];
  return name === undefined ? undefined : accountKey(deps, base, name);
}

export async function readToken(deps: EffectDeps, turn: TurnKeys, id: string, definition: AuthTokenDefinition, account?: string): Promise<TokenRecord | undefined> {
  const key = tokenKeyFor(deps, turn, id, definition, account);
  return key === undefined ? undefined : deps.store.tokens.get(key);
}

/** Caches a token; with several accounts it is added (or replaces the same account's). */
export async function saveToken(deps: Pick<EffectDeps, 'store' | 'sealer'>, turn: TurnKeys, id: string, definition: AuthTokenDefinition, record: TokenRecord, ttlSeconds: number): Promise<void> {
  const base = tokenKey(id, definition, turn);
  if (!several(definition)) {
    await deps.store.tokens.set(base, record, ttlSeconds);
    return;
  }
  await deps.store.tokens.set(accountKey(deps, base, record.account), record, ttlSeconds);
  const names = (await namesIn(deps, base)).filter((name) => name !== record.account);
  // The list lives as long as the longest-lived account could; each read drops the expired ones.
  await deps.store.tokens.set(listKey(base), { token: JSON.stringify([...names, record.account]), account: '' }, Math.max(ttlSeconds, ttlOf(definition)));
}

/** The accounts cached for this user, oldest first; those whose token expired are left out (and dropped from the list). */
export async function cachedAccounts(deps: Pick<EffectDeps, 'store' | 'sealer'>, turn: TurnKeys, id: string, definition: AuthTokenDefinition): Promise<string[]> {
  const base = tokenKey(id, definition, turn);
  if (!several(definition)) {
    const record = await deps.store.tokens.get(base);
    return record === undefined ? [] : [record.account];
  }
  const names = await namesIn(deps, base);
  const alive = (await Promise.all(names.map(async (name) => ((await deps.store.tokens.get(accountKey(deps, base, name))) === undefined ? undefined : name)))).filter(
    (name): name is string => name !== undefined,
  );
  if (alive.length !== names.length) {
    if (alive.length === 0) await deps.store.tokens.delete(listKey(base));
    else await deps.store.tokens.set(listKey(base), { token: JSON.stringify(alive), account: '' }, ttlOf(definition));
  }
  return alive;
}

/** Forgets one account (`account`), or every account of the definition. */
export async function forgetTokens(deps: EffectDeps, turn: TurnKeys, id: string, definition: AuthTokenDefinition, account?: string): Promise<void> {
  const base = tokenKey(id, definition, turn);
  if (!several(definition)) {
    await deps.store.tokens.delete(base);
    return;
  }
  const names = await namesIn(deps, base);
  const gone = account === undefined ? names : names.filter((name) => name === account);
  await Promise.all(gone.map((name) => deps.store.tokens.delete(accountKey(deps, base, name))));
  const kept = names.filter((name) => !gone.includes(name));
  if (kept.length === 0) await deps.store.tokens.delete(listKey(base));
  else await deps.store.tokens.set(listKey(base), { token: JSON.stringify(kept), account: '' }, ttlOf(definition));
}

async function namesIn(deps: Pick<EffectDeps, 'store'>, base: string): Promise<string[]> {
  const list = await deps.store.tokens.get(listKey(base));
  if (list === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(list.token);
    return Array.isArray(parsed) ? parsed.filter((name): name is string => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

function ttlOf(definition: AuthTokenDefinition): number {
  return definition.ttl;
}
