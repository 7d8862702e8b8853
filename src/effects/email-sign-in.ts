// The turn-time half of an email sign-in (mode email): the user gave an address; within the
// hour's limits, a one-time link bound to this conversation is mailed to it, by Parley or by
// the service. The address is kept only in the link's sealed record, until the link is used.
import type { EmailDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
import type { EffectResult } from '../runtime/effect.js';
import { maskAddress, signInAddress } from '../sign-in/email-address.js';
import type { EffectDeps } from './effect-deps.js';
import { askServiceToMail, mailTheLink } from './email-flow.js';
import { linkLookup, newLink } from './link-sign-in.js';
import { countMail } from './mail-limits.js';

type BeginResult = Extract<EffectResult, { type: 'link.begin' }>;

/** Where a mailed link leads: the page with the button (GET), which confirms it (POST). */
export function emailLinkUrl(deps: Pick<EffectDeps, 'publicUrl'>, state: string): string {
  return `${deps.publicUrl().replace(/\/+$/, '')}/auth/email/${state}`;
}

export async function mailLink(deps: EffectDeps, turn: EffectTurn, token: string, definition: EmailDefinition, typed: string | undefined): Promise<BeginResult> {
  // The interpreter checked it; checked again here, where it becomes a recipient.
  const address = typed === undefined ? undefined : signInAddress(typed);
  if (address === undefined) return { type: 'link.begin', ok: false, reason: 'undeliverable' };
  // A caller cannot open a mailed link (the step refuses the phone before asking).
  if (turn.user.channel === 'phone') return { type: 'link.begin', ok: false, reason: 'unavailable' };
  const wait = await countMail(deps, turn, address);
  if (wait > 0) {
    deps.log.info({ token }, 'a sign-in mail was not sent: this user, or this address, was sent as many as an hour allows');
    return { type: 'link.begin', ok: false, reason: 'flooded', retryAfterSeconds: wait };
  }

  const { state, hash, pending } = newLink(turn, token, definition, definition.verifyCode);
  pending.email = address;
  const link = emailLinkUrl(deps, state);
  // Kept before the mail leaves, so a link opened at once is already known.
  await deps.links.put(hash, pending, turn.now);
  const call = { definitionId: token, definition, lookup: linkLookup(deps, turn) };
  const sent = definition.sendUrl === undefined ? await mailTheLink(deps, call, address, link) : await askServiceToMail(deps, call, address, link);
  if (sent !== 'sent') {
    // Nobody has this link: void it, with the address.
    await deps.links.spend(hash, pending, turn.now);
    return { type: 'link.begin', ok: false, reason: sent };
  }
  deps.log.info({ token, to: maskAddress(address), by: definition.sendUrl === undefined ? 'parley' : 'service' }, 'a sign-in link was mailed');
  return { type: 'link.begin', ok: true, link: '', expiresAt: pending.expiresAt, texted: false, verify: pending.verify, mailedTo: maskAddress(address) };
}
