// Signing in by a mailed link (mode email), the pure half of what comes before the link: ask for
// the address, check it, and ask the effects to mail the link to it. From the mail on, the wait
// is the link modes' (link.ts). The address goes out with the effect and is never kept in the
// session: what the session keeps is the wait, and how many addresses were not one.
import type { EmailDefinition } from '../bot/schema.js';
import { failureWay, type Draft, type Next, type StepEvent } from '../components/component.js';
import type { Wait } from '../runtime/session.js';
import { definitionOf, type SignInWays } from './credentials.js';
import { signInAddress } from './email-address.js';

type AddressWait = Extract<Wait, { kind: 'link' }> & { phase: 'address' };

/** Asks for the address the link is mailed to (the first time, after "again", or after a refused address). */
export function askForAddress(token: string, draft: Draft, tries = 0): Next {
  const definition = emailDefinitionOf(draft, token);
  return {
    kind: 'wait',
    wait: { kind: 'link', token, expiresAt: 0, verify: true, tries, phase: 'address' },
    prompt: { text: draft.text(definition.ask), input: 'email', keypad: false, secret: false },
  };
}

/**
 * Goes on while the address is asked for: an answer, or the result of mailing the link to it.
 * Undefined for a result the link modes take from here (a link mailed, the mail refused for
 * another reason than the address): the caller hands it to continueLinkSignIn.
 */
export function continueAddress(event: StepEvent, wait: AddressWait, draft: Draft, ways: SignInWays): Next | undefined {
  if (event.kind === 'answer') {
    const address = signInAddress(event.input.text);
    if (address === undefined) return tryAgain(draft, wait, ways, draft.phrase('invalidEmail'));
    return { kind: 'effect', effect: { type: 'link.begin', token: wait.token, email: address }, wait };
  }
  if (event.kind === 'result' && event.result.type === 'link.begin') {
    if (!event.result.ok && event.result.reason === 'undeliverable') return tryAgain(draft, wait, ways, draft.phrase('emailUndeliverable'));
    return undefined;
  }
  return askForAddress(wait.token, draft, wait.tries);
}

/** A try that was not an address the link could go to: asked again, until `maxAttempts`. */
function tryAgain(draft: Draft, wait: AddressWait, ways: SignInWays, why: string): Next {
  const tries = wait.tries + 1;
  if (tries >= emailDefinitionOf(draft, wait.token).maxAttempts) {
    if (ways.failure === undefined) draft.say({ text: draft.phrase('signInGaveUp') });
    return failureWay(ways.failure);
  }
  draft.say({ text: why });
  return askForAddress(wait.token, draft, tries);
}

/** True when the step is asking for the address, not yet waiting on a link. */
export function isAddressWait(wait: Wait | undefined): wait is AddressWait {
  return wait?.kind === 'link' && wait.phase === 'address';
}

function emailDefinitionOf(draft: Draft, token: string): EmailDefinition {
  const definition = definitionOf(draft, token);
  if (definition.mode !== 'email') throw new Error(`auth token definition "${token}" does not sign in by email`);
  return definition;
}
