// Effects are what the pure interpreter asks the outside world to do; results are what the
// driver feeds back. Neither carries a token: tokens stay inside the driver and the stores.
import type { Position } from '../bot/bot.js';
import type { Vars } from './session.js';
import type { JsonValue } from '../json.js';

export type Effect =
  /**
   * Is a valid token of definition `token` cached for this user (or conversation)? With several
   * accounts: of `account`, or, without it, which accounts are cached.
   */
  | { type: 'token.lookup'; token: string; account?: string }
  /** Keep a secret answer until the sign-in call, encrypted. */
  | { type: 'secret.seal'; value: string }
  /** Call the auth service with the answers; on success the driver caches the token. */
  | { type: 'auth.signIn'; token: string; answers: Record<string, string>; sealed: Record<string, string>; save?: Record<string, string> }
  /** Drop a cached token (log out, or a 401 from an API). */
  | { type: 'token.forget'; token: string; account?: string }
  /**
   * Call an API (the `webService` step at `step`, for the author's log) as `request` says, with
   * the token of definition `token` wherever its templates hold `{authtoken}`.
   */
  | { type: 'web.call'; step: Position; token?: string; request: WebRequest }
  /**
   * Start a sign-in on the service's own page (modes oauth, web): a one-time link bound to this
   * conversation. On the phone the effect sends the link by SMS itself. Mode email: the link is
   * mailed to `email` (by Parley, or by the service), which is kept nowhere else.
   */
  | { type: 'link.begin'; token: string; email?: string }
  /** The user typed the code the sign-in page showed: finish the sign-in of definition `token`. */
  | { type: 'link.verify'; token: string; code: string };

/**
 * A web service call as the interpreter knows it: the step's templates, and the value of every
 * placeholder in them that is not a credential. The effect adds tokens and `{secret.*}` (which
 * the interpreter never sees) and performs it. Rendering stays one pass over the templates, so
 * a value that looks like a placeholder is never expanded.
 */
export interface WebRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: JsonValue;
  /** The conversation's values for the templates' placeholders; a name without one is missing. */
  values: Record<string, JsonValue>;
  timeoutSeconds: number;
  save?: Record<string, string>;
}

export type EffectResult =
  /** `retryAfterSeconds`: no token, and sign-in is paused for this user after repeated refusals. */
  | { type: 'token.lookup'; found: boolean; account?: string; retryAfterSeconds?: number; accounts?: string[] }
  | { type: 'secret.seal'; sealed: string }
  | { type: 'auth.signIn'; ok: true; account: string; vars: Vars }
  /**
   * `refused`: the service said no (4xx, or no token in its answer); `unavailable`: it could
   * not be reached, timed out or failed (5xx); `throttled`: too many failures, try later.
   */
  | { type: 'auth.signIn'; ok: false; reason: 'refused' | 'unavailable' | 'throttled'; retryAfterSeconds?: number }
  | { type: 'token.forget' }
  | { type: 'web.call'; ok: true; status: number; vars: Vars }
  /** `unauthorized` is set when the API answered 401 to a call made with a cached token. */
  | { type: 'web.call'; ok: false; status?: number; unauthorized: boolean; reason: string }
  /**
   * `link` is a bearer secret until used: said once, in a reply marked sensitive. `texted`: sent
   * by SMS instead (the phone). `mailedTo`: mailed instead (mode email), to this address as it
   * may be shown (masked: a***@example.com); `link` is then empty.
   */
  | { type: 'link.begin'; ok: true; link: string; expiresAt: number; texted: boolean; verify: boolean; mailedTo?: string }
  /**
   * `unreachable`: on the phone, the SMS with the link could not be sent. Mode email:
   * `undeliverable`, the mail server refused the address; `flooded`, this user or this address
   * was sent as many sign-in mails as an hour allows (`retryAfterSeconds`: until the next hour).
   */
  | { type: 'link.begin'; ok: false; reason: 'unavailable' | 'unreachable' | 'throttled' | 'undeliverable' | 'flooded'; retryAfterSeconds?: number }
  | { type: 'link.verify'; ok: true; account: string; vars: Vars }
  /** `pending`: no sign-in finished on the page yet; `expired`: the link is gone (used up, expired, replaced). */
  | { type: 'link.verify'; ok: false; reason: 'wrong-code' | 'pending' | 'expired' | 'throttled'; retryAfterSeconds?: number }
  /** A sign-in finished on the page without a code to type: the conversation is resumed with this. */
  | { type: 'link.done'; token: string; account: string };
