// OAuth's refresh token, used once and silently: when the access token has expired, or an API
// answered 401 to it, the refresh token gets a new one before the user is asked to sign in
// again. One refresh per token at a time across instances, since a refresh token works once.
import type { OAuthDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
import type { TokenRecord } from '../stores/store.js';
import type { EffectDeps } from './effect-deps.js';
import { linkLookup } from './link-sign-in.js';
import { refresh } from './oauth-provider.js';
import { tokenKeyFor } from './token-cache.js';

/** The access token is past its own expiry (the record outlives it to keep the refresh token). */
export function isStale(record: TokenRecord, now: number): boolean {
  return record.expiresAt !== undefined && record.expiresAt <= now;
}

/**
 * A fresh record for `stale`, or undefined (then the record is dropped and the user signs in
 * again). When another turn refreshed meanwhile, its record is taken as it is.
 */
export async function refreshToken(deps: EffectDeps, turn: EffectTurn, definitionId: string, definition: OAuthDefinition, stale: TokenRecord): Promise<TokenRecord | undefined> {
  const key = tokenKeyFor(deps, turn, definitionId, definition, stale.account);
  if (key === undefined) return undefined;
  if (stale.refresh === undefined) {
    await deps.store.tokens.delete(key);
    return undefined;
  }
  const release = await deps.store.locks.acquire(`refresh:${key}`, (definition.timeout + 5) * 1000, (definition.timeout + 5) * 1000);
  if (release === undefined) return undefined;
  try {
    const current = await deps.store.tokens.get(key);
    if (current !== undefined && current.token !== stale.token && !isStale(current, turn.now)) return current;
    if (current?.refresh === undefined) return undefined;
    try {
      const provider = await deps.oauth.session({ bot: turn.bot.id, definition: definitionId }, definition, linkLookup(deps, turn));
      const tokens = await refresh(provider, current.refresh);
      const accessSeconds = Math.min(tokens.expiresIn ?? definition.ttl, definition.ttl);
      const record: TokenRecord = { token: tokens.accessToken, account: current.account, expiresAt: turn.now + accessSeconds * 1000 };
      // Used once: a provider that rotates gives a new one; one that does not leaves none to reuse.
      if (tokens.refreshToken !== undefined) record.refresh = tokens.refreshToken;
      await deps.store.tokens.set(key, record, record.refresh === undefined ? accessSeconds : definition.ttl);
      deps.log.debug({ token: definitionId }, 'access token refreshed');
      return record;
    } catch (error) {
      deps.log.info({ token: definitionId, err: error instanceof Error ? error.name : 'error' }, 'the refresh token was refused or the provider failed: the user signs in again');
      await deps.store.tokens.delete(key);
      return undefined;
    }
  } finally {
    await release().catch(() => undefined);
  }
}
