// The browser's half of the link modes: the user comes back from the sign-in page to
// /auth/callback with the link's `state` and the provider's code (oauth) or the service's own
// query variables (web), or presses the button on a mailed link's page, /auth/email/STATE
// (email). One use per link, whichever instance it lands on: the link's record is read and
// changed under a lock, and a used or expired one stays readable as such.
import { isLinkMode, type EmailDefinition, type LinkDefinition } from '../bot/schema.js';
import type { Bot } from '../bot/bot.js';
import type { CallbackOutcome, LinkCallbacks } from '../runtime/link-callback.js';
import { channelConversation } from '../runtime/run-turn.js';
import type { Session } from '../runtime/session.js';
import type { TokenRecord } from '../stores/store.js';
import type { EffectDeps } from './effect-deps.js';
import { confirmEmail } from './email-flow.js';
import { callbackUrl, linkLookup } from './link-sign-in.js';
import { exchangeCode, providerRefusal, type ProviderTokens } from './oauth-provider.js';
import { isStateShaped, newCode, stateHash, type PendingLink } from './pending-links.js';
import { failureKey } from './token-key.js';
import { saveToken } from './token-cache.js';
import { endWebSignIn } from './web-flow.js';

type Signed = { ok: true; record: TokenRecord; ttlSeconds: number } | { ok: false; reason: 'refused' | 'unavailable' };

/** What the sign-in with the service came to, or an outcome decided before calling it. */
type Attempt = Signed | { outcome: CallbackOutcome };

/** A link's owner as the effects see a turn of it. */
type TurnLike = { bot: Bot; user: PendingLink['user']; conversation: string; now: number; session: Session };

/** `currentBot`: the bot as it is now (a reloaded bot's links are finished on its new version). */
export function createLinkCallbacks(deps: EffectDeps, currentBot: () => Bot, clock: () => number): LinkCallbacks {
  /**
   * Finishes the sign-in of the pending link `state` names, under the link's lock: one use,
   * whichever instance the browser reaches. `attempt` signs in with the service; from its answer
   * on, every mode ends the same way (a code to type, or the conversation resumed).
   */
  async function settle(state: string | undefined, attempt: (link: PendingLink, definition: LinkDefinition, turn: TurnLike) => Promise<Attempt>): Promise<CallbackOutcome> {
    if (!isStateShaped(state)) return { kind: 'unknown' };
    const bot = currentBot();
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
      const definition = bot.authTokens[link.definition];
      if (definition === undefined || !isLinkMode(definition)) return { kind: 'unknown' };

      const turnLike: TurnLike = { bot, user: link.user, conversation: link.conversation, now, session: { vars: {}, seen: now, ...(link.since !== undefined && { since: link.since }) } };
      const signed = await attempt(link, definition, turnLike);
      if ('outcome' in signed) return signed.outcome;
      if (!signed.ok) {
        if (signed.reason === 'refused') await deps.backOff.failed(failureKey(link.definition, turnLike), now);
        // A confirm service that could not be reached has spent nothing of a mailed link: its
        // page's button can be pressed again. Elsewhere the provider's code is spent either way.
        if (signed.reason === 'refused' || definition.mode !== 'email') await deps.links.spend(hash, link, now);
        deps.metrics.signIn(signed.reason);
        return { kind: signed.reason };
      }

      if (link.verify) {
        const code = newCode();
        const { email: _email, ...kept } = link;
        await deps.links.update(hash, { ...kept, status: 'signed-in', signedIn: { ...signed.record, ttlSeconds: signed.ttlSeconds }, codeDigest: deps.links.codeDigest(hash, code) }, now);
        return { kind: 'signed-in', code };
      }
      await saveToken(deps, turnLike, link.definition, definition, signed.record, signed.ttlSeconds);
      await deps.links.spend(hash, link, now);
      await deps.backOff.succeeded(failureKey(link.definition, turnLike));
      deps.metrics.signIn('ok');
      return {
        kind: 'signed-in',
        resume: { user: link.user, conversation: channelConversation(link.user, link.conversation), event: { kind: 'result', result: { type: 'link.done', token: link.definition, account: signed.record.account } } },
      };
    } catch (error) {
      deps.log.error({ err: error instanceof Error ? error.name : 'error' }, 'a sign-in callback failed');
      return { kind: 'unavailable' };
    } finally {
      await release().catch(() => undefined);
    }
  }

  return {
    async refuse(owner) {
      const bot = currentBot();
      const hash = await deps.links.newestOf({ bot: bot.id, ...owner });
      const link = hash === undefined ? undefined : await deps.links.get(hash);
      if (hash === undefined || link === undefined || link.status !== 'pending') return false;
      const now = clock();
      await deps.backOff.failed(failureKey(link.definition, { bot, user: link.user }), now);
      await deps.links.spend(hash, link, now);
      deps.metrics.signIn('refused');
      return true;
    },
    complete(query) {
      return settle(query.state, async (link, definition, turnLike) => {
        // A mailed link is confirmed from its own page, by its button: never by a GET here.
        if (definition.mode === 'email') return { outcome: { kind: 'unknown' } };
        // The user declined, or the provider failed: nothing is spent, the link can be opened again.
        if (query.error !== undefined) return { outcome: { kind: 'provider-error' } };
        if (definition.mode === 'oauth') return oauthTokens(deps, link, definition, query, query.state!, turnLike.now);
        const { state: _state, ...serviceData } = query;
        const ended = await endWebSignIn(
          { outbound: deps.outbound, definitionId: link.definition, definition, lookup: linkLookup(deps, turnLike), masked: [] },
          link.temp === undefined ? null : JSON.parse(link.temp),
          serviceData,
        );
        return ended.ok ? { ok: true, record: { token: ended.token, account: ended.account }, ttlSeconds: definition.ttl } : ended;
      });
    },

    async emailLanding(state, query) {
      if (!isStateShaped(state)) return { kind: 'unknown' };
      const bot = currentBot();
      const link = await deps.links.get(stateHash(state));
      const definition = link === undefined || link.bot !== bot.id ? undefined : bot.authTokens[link.definition];
      if (link === undefined || definition?.mode !== 'email') return { kind: 'unknown' };
      if (link.status !== 'pending') return { kind: 'used' };
      if (link.expiresAt <= clock()) return { kind: 'expired' };
      if (emailCode(definition, state, query) === undefined) return { kind: 'unknown' };
      return { kind: 'ready' };
    },

    confirmEmail(state, query) {
      return settle(state, async (link, definition, turnLike) => {
        if (definition.mode !== 'email' || link.email === undefined) return { outcome: { kind: 'unknown' } };
        const code = emailCode(definition, state, query);
        if (code === undefined) return { outcome: { kind: 'unknown' } };
        return confirmEmail(deps, { definitionId: link.definition, definition, lookup: linkLookup(deps, turnLike) }, code, link.email);
      });
    },
  };
}

/** The code the confirm call sends: the service's own, from its mailed link's query (`codeParam`), or Parley's (the link's state). */
function emailCode(definition: EmailDefinition, state: string, query: Record<string, string>): string | undefined {
  if (definition.sendUrl === undefined) return state;
  const code = query[definition.codeParam];
  return code !== undefined && code !== '' && code.length <= 2048 ? code : undefined;
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
    const refusal = await providerRefusal(error);
    deps.log.warn({ token: link.definition, err: error instanceof Error ? error.name : 'error', code: refusal }, 'the provider did not give a token for the code');
    return { ok: false, reason: refusal !== undefined ? 'refused' : 'unavailable' };
  }
}

