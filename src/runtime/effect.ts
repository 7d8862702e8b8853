// Effects are what the pure interpreter asks the outside world to do; results are what the
// driver feeds back. Neither carries a token: tokens stay inside the driver and the stores.
import type { Position } from '../bot/bot.js';
import type { Vars } from './session.js';
import type { JsonValue } from '../json.js';

export type Effect =
  /** Is a valid token of definition `token` cached for this user (or conversation)? */
  | { type: 'token.lookup'; token: string }
  /** Keep a secret answer until the sign-in call, encrypted. */
  | { type: 'secret.seal'; value: string }
  /** Call the auth service with the answers; on success the driver caches the token. */
  | { type: 'auth.signIn'; token: string; answers: Record<string, string>; sealed: Record<string, string>; save?: Record<string, string> }
  /** Drop a cached token (log out, or a 401 from an API). */
  | { type: 'token.forget'; token: string }
  /**
   * Call an API (the `webService` step at `step`, for the author's log) as `request` says, with
   * the token of definition `token` wherever its templates hold `{authtoken}`.
   */
  | { type: 'web.call'; step: Position; token?: string; request: WebRequest };

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
  | { type: 'token.lookup'; found: boolean; account?: string; retryAfterSeconds?: number }
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
  | { type: 'web.call'; ok: false; status?: number; unauthorized: boolean; reason: string };
