// What the browser's return from a sign-in page (GET /auth/callback), or a mailed link's page
// (GET and POST /auth/email/:code), comes to, as the server sees it. The work is in
// src/effects/link-callback.ts; the pages in src/server/auth-pages.ts and email-pages.ts.
import type { TurnEvent } from './advance.js';
import type { User } from './turn.js';

export type CallbackOutcome =
  /** Signed in. `code`: the page shows it, the user types it in the chat. `resume`: no code; the conversation goes on by itself. */
  | { kind: 'signed-in'; code?: string; resume?: { user: User; conversation: string; event: TurnEvent } }
  /** No such link (never made, or gone long ago), or a `state` that is not one of ours: 400. */
  | { kind: 'unknown' }
  /** Used already, or past its time: 410. */
  | { kind: 'used' }
  | { kind: 'expired' }
  /** The provider sent the user back with an error (`access_denied`…): 400, the link still works. */
  | { kind: 'provider-error' }
  /** The service said no (wrong account, invalid code): the link is spent; the chat offers a new one. */
  | { kind: 'refused' }
  /** The provider or the service could not be reached or answered nonsense: 502. A mailed link stays usable. */
  | { kind: 'unavailable' };

/** What a mailed link's page shows when opened (GET): its button, or why there is none. */
export type EmailLanding = { kind: 'ready' } | Extract<CallbackOutcome, { kind: 'unknown' | 'used' | 'expired' }>;

export interface LinkCallbacks {
  /** Finishes the sign-in the callback's `state` names; never throws for anything the query holds. */
  complete(query: Record<string, string>): Promise<CallbackOutcome>;
  /**
   * The service refused the sign-in of the conversation's newest link for `definition` (what a
   * refused callback does, for conversation tests that play one): the link is spent and the
   * refusal counts for back-off. False when no link was pending.
   */
  refuse(owner: { definition: string; user: User; conversation: string }): Promise<boolean>;
  /**
   * A mailed link opened (GET /auth/email/STATE, with the service's code in `query` when the
   * service mailed it): only reads, so a mail scanner opening links spends nothing.
   */
  emailLanding(state: string, query: Record<string, string>): Promise<EmailLanding>;
  /** Its page's button pressed (POST): confirms with the auth service, once. */
  confirmEmail(state: string, query: Record<string, string>): Promise<CallbackOutcome>;
}
