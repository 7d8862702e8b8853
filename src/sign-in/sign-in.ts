// Which way a definition signs a user in: questions in the chat (credentials), a link to the
// service's own page (oauth, web) or a link mailed to the user (email). Steps that sign in go
// through here, not through a mode.
import { isLinkMode } from '../bot/schema.js';
import type { Draft, Next, StepEvent } from '../components/component.js';
import type { Wait } from '../runtime/session.js';
import { askFirst, continueSignIn, definitionOf, type SignInWays } from './credentials.js';
import { continueAddress, isAddressWait } from './email.js';
import { beginLinkSignIn, continueLinkSignIn } from './link.js';

export function startSignIn(token: string, draft: Draft): Next {
  return isLinkMode(definitionOf(draft, token)) ? beginLinkSignIn(token, draft) : askFirst(token, draft);
}

/** Goes on with the sign-in `wait` is in; undefined when the step is waiting on something else. */
export function continueAnySignIn(event: StepEvent, wait: Wait | undefined, draft: Draft, ways: SignInWays): Next | undefined {
  if (wait?.kind === 'auth') return continueSignIn(event, wait, draft, ways);
  if (isAddressWait(wait)) {
    const { phase: _phase, ...linkWait } = wait;
    return continueAddress(event, wait, draft, ways) ?? continueLinkSignIn(event, linkWait, draft, ways);
  }
  if (wait?.kind === 'link') return continueLinkSignIn(event, wait, draft, ways);
  return undefined;
}

/** Web chat cannot be trusted with questions (as in the product this replaces); links work there. */
export function signInAllowedOn(draft: Draft, token: string): boolean {
  return signInRefusedHere(draft, token) === undefined;
}

/** Why this channel cannot sign in with definition `token`, in the user's words; undefined when it can. */
export function signInRefusedHere(draft: Draft, token: string): string | undefined {
  const { mode } = definitionOf(draft, token);
  // A caller cannot type an email address, nor open the link in the mail.
  if (mode === 'email' && draft.user.channel === 'phone') return draft.phrase('emailNotByPhone');
  if (draft.user.channel === 'web' && mode === 'credentials') return draft.phrase('signInNotHere');
  return undefined;
}
