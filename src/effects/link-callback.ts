// The browser's half of the link modes: the user comes back from the sign-in page to
// /auth/callback with the link's `state` and the provider's code (oauth) or the service's own
// query variables (web). One use per link, whichever instance it lands on: the link's record
// is read and changed under a lock, and a used or expired one stays readable as such.
import * as oidc from 'openid-client';
import { isLinkMode } from '../bot/schema.js';
import type { Bot } from '../bot/bot.js';
import type { CallbackOutcome, LinkCallbacks } from '../runtime/link-callback.js';
import type { Session } from '../runtime/session.js';
import type { TokenRecord } from '../stores/store.js';
import type { EffectDeps } from './effect-deps.js';
import { callbackUrl, linkLookup } from './link-sign-in.js';
import { exchangeCode, type ProviderTokens } from './oauth-provider.js';
import { isStateShaped, newCode, stateHash, type PendingLink } from './pending-links.js';
import { failureKey } from './token-key.js';
import { saveToken } from './token-cache.js';
import { endWebSignIn } from './web-flow.js';

type Signed = { ok: true; record: TokenRecord; ttlSeconds: number } | { ok: false; reason: 'refused' | 'unavailable' };

export function createLinkCallbacks(deps: EffectDeps, bot: Bot, clock: () => number): LinkCallbacks {
  return {
    async refuse(owner) {
      const hash = await deps.links.newestOf({ bot: bot.id, ...owner });
      const link = hash === undefined ? undefined : await deps.links.get(hash);
      if (hash === undefined || link === undefined || link.status !== 'pending') return false;
      const now = clock();
      await deps.backOff.failed(failureKey(link.definition, { bot, user: link.user }), now);
      await deps.links.spend(hash, link, now);
      deps.metrics.signIn('refused');
      return true;
    },
    async complete(query) {
      const { state } = query;
      if (!isStateShaped(state)) return { kind: 'unknown' };
      const hash = stateHash(state);
      if ((await deps.links.get(hash)) === undefined) return { kind: 'unknown' };
      const release = await deps.store.locks.acquire(`link:${hash}`, 30_000, 10_000);
      if (release === undefined) return { kind: 'unavailable' };
      try {
        const now = clock();
        const link = await deps.links.get(hash);
        if (link === undefined || link.bot !== bot.id) return { kind: 'unknown' };
        if (link.status !== 'pending') return { kind: 'used' };
        if (link.expiresAt <= now) return { kind: 'expired' };
        // The user declined, or the provider failed: nothing is spent, the link can be opened again.
        if (query.error !== undefined) return { kind: 'provider-error' };
        const definition = bot.authTokens[link.definition];
        if (definition === undefined || !isLinkMode(definition)) return { kind: 'unknown' };

        const turnLike = { bot, user: link.user, conversation: link.conversation, now, session: { vars: {}, seen: now, ...(link.since !== undefined && { since: link.since }) } satisfies Session };
        let signed: Signed;
        if (definition.mode === 'oauth') {
          signed = await oauthTokens(deps, link, definition, query, state, now);
        } else {
          const { state: _state, ...serviceData } = query;
          const ended = await endWebSignIn(
            { outbound: deps.outbound, definitionId: link.definition, definition, lookup: linkLookup(deps, turnLike), masked: [] },
            link.temp === undefined ? null : JSON.parse(link.temp),
            serviceData,
          );
          signed = ended.ok ? { ok: true, record: { token: ended.token, account: ended.account }, ttlSeconds: definition.ttl } : ended;
        }
        if (!signed.ok) {
          if (signed.reason === 'refused') await deps.backOff.failed(failureKey(link.definition, turnLike), now);
          await deps.links.spend(hash, link, now);
          deps.metrics.signIn(signed.reason);
          return { kind: signed.reason };
        }

        if (link.verify) {
          const code = newCode();
          await deps.links.update(hash, { ...link, status: 'signed-in', signedIn: { ...signed.record, ttlSeconds: signed.ttlSeconds }, codeDigest: deps.links.codeDigest(hash, code) }, now);
          return { kind: 'signed-in', code };
        }
        await saveToken(deps, turnLike, link.definition, definition, signed.record, signed.ttlSeconds);
        await deps.links.spend(hash, link, now);
        await deps.backOff.succeeded(failureKey(link.definition, turnLike));
        deps.metrics.signIn('ok');
        return {
          kind: 'signed-in',
          resume: { user: link.user, conversation: channelConversation(link), event: { kind: 'result', result: { type: 'link.done', token: link.definition, account: signed.record.account } } },
        };
      } catch (error) {
        deps.log.error({ err: error instanceof Error ? error.name : 'error' }, 'a sign-in callback failed');
        return { kind: 'unavailable' };
      } finally {
        await release().catch(() => undefined);
      }
    },
  };
}

/** How long the record is kept: the access token's life, or the sign-in's (`ttl`) when a refresh token can renew it. */
export function oauthRecord(tokens: ProviderTokens, account: string, ttl: number, now: number): { record: TokenRecord; ttlSeconds: number } {
  const accessSeconds = Math.min(tokens.expiresIn ?? ttl, ttl);
  if (tokens.refreshToken === undefined) return { record: { token: tokens.accessToken, account }, ttlSeconds: accessSeconds };
  return { record: { token: tokens.accessToken, account, refresh: tokens.refreshToken, expiresAt: now + accessSeconds * 1000 }, ttlSeconds: ttl };
}

async function oauthTokens(
  deps: EffectDeps,
  link: PendingLink,
  definition: Extract<Bot['authTokens'][string], { mode: 'oauth' }>,
  query: Record<string, string>,
  state: string,
  now: number,
): Promise<Signed> {
  if (link.verifier === undefined || query.code === undefined) return { ok: false, reason: 'refused' };
  const lookup = linkLookup(deps, { user: link.user, session: { vars: {}, seen: now } });
  const provider = await deps.oauth.session({ bot: link.bot, definition: link.definition }, definition, lookup);
  const current = new URL(callbackUrl(deps));
  for (const [name, value] of Object.entries(query)) current.searchParams.set(name, value);
  try {
    const tokens = await exchangeCode(provider, definition, current, state, link.verifier);
    return { ok: true, ...oauthRecord(tokens, tokens.account ?? link.definition, definition.ttl, now) };
  } catch (error) {
    // The provider's own refusal (an invalid or used code, a PKCE mismatch) against a failure to reach it.
    const refused = error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError;
    deps.log.warn({ token: link.definition, err: error instanceof Error ? error.name : 'error', code: refused ? (error as oidc.ResponseBodyError).error : undefined }, 'the provider did not give a token for the code');
    return { ok: false, reason: refused ? 'refused' : 'unavailable' };
  }
}

/** The conversation as its channel names it: turns see it keyed by authority (run-turn.ts conversationKey). */
function channelConversation(link: PendingLink): string {
  const prefix = `${link.user.via}:`;
  return link.conversation.startsWith(prefix) ? link.conversation.slice(prefix.length) : link.conversation;
}
