// The pages of a mailed link (mode email): opened, it shows what it is for and a button; only
// the button confirms (mail scanners open links by GET and must not spend them). After the
// button, the link modes' pages (auth-pages.ts), but for what is said differently of a mail.
import type { CallbackOutcome, EmailLanding } from '../runtime/link-callback.js';
import { pageFor, type AuthPage } from './auth-pages.js';

const confirmLabel = 'Confirm sign-in';

/** `action`: where the button posts, relative to the page (the link itself, its query kept). */
export function landingPage(landing: EmailLanding, action: string): AuthPage {
  if (landing.kind !== 'ready') return pageFor(landing);
  return {
    status: 200,
    title: 'Sign in to the chat',
    lines: ['You asked a chat to sign you in with this email address. Press the button to confirm.', 'If you did not ask for this, close this page: nothing happens.'],
    button: { label: confirmLabel, action },
  };
}

export function confirmedPage(outcome: CallbackOutcome, action: string): AuthPage {
  switch (outcome.kind) {
    case 'refused':
      return {
        status: 400,
        title: 'This sign-in link was not accepted',
        lines: ['The service says it is not valid: it may have been used already, or it has expired.', 'Go back to the chat and type "again" to get a new mail.'],
      };
    case 'unavailable':
      // Nothing was spent: the same button can be pressed again.
      return {
        status: 502,
        title: 'Sign-in could not be completed',
        lines: ['The service could not be reached just now. Your link still works: wait a minute, then press the button again.'],
        button: { label: confirmLabel, action },
      };
    default:
      return pageFor(outcome);
  }
}
