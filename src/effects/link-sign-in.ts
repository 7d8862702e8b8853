// The turn-time half of the link modes (oauth, web, email): make a one-time link bound to this
// conversation, and take the code the user types once the page has signed them in. The
// browser's half (the callback) is link-callback.ts; a mailed link's mail, email-sign-in.ts.
import type { LinkDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
import type { EffectResult } from '../runtime/effect.js';
import { conversationValue } from '../runtime/scope.js';
import type { JsonValue } from '../json.js';
import type { EffectDeps } from './effect-deps.js';
import { mailLink } from './email-sign-in.js';
import { authorizationLink, newVerifier } from './oauth-provider.js';
import { newState, stateHash, type PendingLink } from './pending-links.js';
import { failureKey } from './token-key.js';
import { saveToken } from './token-cache.js';
import { beginWebSignIn } from './web-flow.js';

type BeginResult = Extract<EffectResult, { type: 'link.begin' }>;
type VerifyResult = Extract<EffectResult, { type: 'link.verify' }>;

export function callbackUrl(deps: Pick<EffectDeps, 'publicUrl'>): string {
  return `${deps.publicUrl().replace(/\/+$/, '')}/auth/callback`;
}

export function linkLookup(deps: Pick<EffectDeps, 'secret'>, turn: Pick<EffectTurn, 'session' | 'user'>): (name: string) => JsonValue | undefined {
  return (name) => (name.startsWith('secret.') ? deps.secret(name.slice('secret.'.length)) : conversationValue(turn.session, turn.user, name));
}

/** `email`: mode email's address, to mail the link to. */
export async function beginLink(deps: EffectDeps, turn: EffectTurn, token: string, definition: LinkDefinition, email?: string): Promise<BeginResult> {
  const wait = await deps.backOff.wait(failureKey(token, turn), turn.now);
  if (wait > 0) return { type: 'link.begin', ok: false, reason: 'throttled', retryAfterSeconds: wait };
  if (definition.mode === 'email') return mailLink(deps, turn, token, definition, email);
  // On the phone the code is always used: a caller's number can be forged, a code on their screen cannot.
  const phone = turn.user.channel === 'phone';
  const { state, hash, pending } = newLink(turn, token, definition, definition.verifyCode || phone);
  const { expiresAt, verify } = pending;
  const lookup = linkLookup(deps, turn);

  let link: string;
  try {
    if (definition.mode === 'oauth') {
      const provider = await deps.oauth.session({ bot: turn.bot.id, definition: token }, definition, lookup);
      pending.verifier = await newVerifier();
      link = await authorizationLink(provider, definition, callbackUrl(deps), state, pending.verifier, lookup);
    } else {
      const begun = await beginWebSignIn({ outbound: deps.outbound, definitionId: token, definition, lookup, masked: [] }, `${callbackUrl(deps)}?state=${state}`, turn.user);
      if (!begun.ok) return { type: 'link.begin', ok: false, reason: 'unavailable' };
      link = begun.link;
      pending.temp = JSON.stringify(begun.temp);
    }
  } catch (error) {
    deps.log.warn({ token, err: error instanceof Error ? error.name : 'error' }, 'the sign-in link could not be made: the provider or the begin service did not answer as expected');
    return { type: 'link.begin', ok: false, reason: 'unavailable' };
  }
  await deps.links.put(hash, pending, turn.now);

  if (phone) {
    // A caller cannot open a link: it goes by SMS to the number that called.
    const send = turn.address === undefined ? undefined : deps.senders.get(turn.address.kind);
    if (send === undefined || turn.address === undefined) return { type: 'link.begin', ok: false, reason: 'unreachable' };
    try {
      await send(turn.address, { replies: [{ text: definition.linkText.split('{link}').join(link), sensitive: true }], ended: false });
    } catch (error) {
      deps.log.warn({ token, err: error instanceof Error ? error.message : 'error' }, 'the SMS with the sign-in link could not be sent');
      return { type: 'link.begin', ok: false, reason: 'unreachable' };
    }
    return { type: 'link.begin', ok: true, link: '', expiresAt, texted: true, verify };
  }
  return { type: 'link.begin', ok: true, link, expiresAt, texted: false, verify };
}

/** A new link: its `state` (the secret the link carries) and the record kept under the state's hash, bound to this conversation. */
export function newLink(turn: Pick<EffectTurn, 'bot' | 'user' | 'conversation' | 'session' | 'now'>, token: string, definition: LinkDefinition, verify: boolean): { state: string; hash: string; pending: PendingLink } {
  const state = newState();
  return {
    state,
    hash: stateHash(state),
    pending: {
      bot: turn.bot.id,
      definition: token,
      user: turn.user,
      conversation: turn.conversation,
      ...(turn.session.since !== undefined && { since: turn.session.since }),
      status: 'pending',
      expiresAt: turn.now + definition.linkTtl * 1000,
      verify,
    },
  };
}

/** The code typed in the chat: it must be the one the page showed for this conversation's newest link. */
export async function verifyLink(deps: EffectDeps, turn: EffectTurn, token: string, definition: LinkDefinition, code: string): Promise<VerifyResult> {
  const failures = failureKey(token, turn);
  const wait = await deps.backOff.wait(failures, turn.now);
  if (wait > 0) return { type: 'link.verify', ok: false, reason: 'throttled', retryAfterSeconds: wait };
  const hash = await deps.links.newestOf({ bot: turn.bot.id, definition: token, user: turn.user, conversation: turn.conversation });
  const pending = hash === undefined ? undefined : await deps.links.get(hash);
  if (hash === undefined || pending === undefined || pending.status === 'used' || pending.expiresAt <= turn.now) {
    return { type: 'link.verify', ok: false, reason: 'expired' };
  }
  // One check at a time per link, whichever instance takes the message.
  const release = await deps.store.locks.acquire(`link:${hash}`, 10_000, 10_000);
  if (release === undefined) return { type: 'link.verify', ok: false, reason: 'throttled', retryAfterSeconds: 5 };
  try {
    const current = await deps.links.get(hash);
    if (current === undefined || current.status === 'used') return { type: 'link.verify', ok: false, reason: 'expired' };
    // A code typed before the page signed anyone in is a guess like any other.
    if (current.status !== 'signed-in' || current.signedIn === undefined || !deps.links.codeMatches(current, hash, code)) {
      await deps.backOff.failed(failures, turn.now);
      return { type: 'link.verify', ok: false, reason: current.status === 'signed-in' ? 'wrong-code' : 'pending' };
    }
    const { ttlSeconds, ...record } = current.signedIn;
    await saveToken(deps, turn, token, definition, record, ttlSeconds);
    await deps.links.spend(hash, current, turn.now);
    await deps.backOff.succeeded(failures);
    deps.metrics.signIn('ok');
    return { type: 'link.verify', ok: true, account: record.account, vars: {} };
  } finally {
    await release().catch(() => undefined);
  }
}
