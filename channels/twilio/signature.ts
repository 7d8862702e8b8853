// X-Twilio-Signature: an HMAC over the public URL Twilio called (query string included) and
// every posted field. Shared by the SMS and voice webhooks.
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
// The webhook helpers alone: the SDK's index loads its whole REST client (a third of a second at start).
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Authority } from '../../src/runtime/turn.js';
import { field, type Json } from '../fields.js';
import { readTwilioForm } from './form.js';

export interface TwilioSignatureSettings {
  /** TWILIO_AUTH_TOKEN; without it every request is refused, unless `validate` is false. */
  authToken: string | undefined;
  /** False only with TWILIO_VALIDATE=false (development): requests are not checked at all. */
  validate: boolean;
  /** PUBLIC_URL: behind a proxy the URL Twilio signed is not the one this process sees. */
  publicUrl: () => string;
}

export function isSignedByTwilio(settings: TwilioSignatureSettings, signature: string | undefined, originalUrl: string, fields: Record<string, unknown>): boolean {
  if (!settings.validate) return true;
  if (settings.authToken === undefined || signature === undefined || signature === '') return false;
  const url = settings.publicUrl() + originalUrl;
  // The URL as PUBLIC_URL spells it is what Twilio signed when the number is set up with it:
  // checked first, with the SDK's own signature. The SDK tries the URL without its port first,
  // so behind a URL with a port (an internal address, a stand-in) it signed twice for every
  // request; its variants still follow when the URL as spelled does not match.
  return matches(signature, getExpectedTwilioSignature(settings.authToken, url, fields)) || validateRequest(settings.authToken, signature, url, fields);
}

function matches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The fields of a form Twilio signed: 415/413 for a body that is no form (readTwilioForm), 403
 * for a request Twilio did not sign. One step of the route's handler, not middleware of its
 * own: each layer of express' chain is a cost on every webhook.
 */
export async function signedTwilioForm(req: Request, settings: TwilioSignatureSettings): Promise<Json> {
  const fields = await readTwilioForm(req);
  if (!isSignedByTwilio(settings, req.get('x-twilio-signature'), req.originalUrl, fields)) {
    throw new ParleyError('forbidden', 'the request does not carry a valid Twilio signature');
  }
  return fields;
}

/**
 * Twilio's signatures carry no time: a captured request verifies forever. Its id is remembered a
 * day after its answer is gone, so one sent again is refused (the platform's own retries all
 * come within the webhook's 15 s).
 */
export const twilioReplayTtlSeconds = 24 * 3600;

/** Who vouches for the user ids of Twilio's requests: Twilio, unless signatures are not checked. */
export function twilioAuthority(settings: TwilioSignatureSettings): Authority {
  return settings.validate ? 'twilio' : 'unverified';
}


/**
 * A Twilio id of the given kind (`SM`/`MM` messages, `CA` calls): two letters and 32 lower-case
 * hex digits. The check matters for security: Twilio signs the fields as `name` + `value` run
 * together, so a captured request can be re-split (`MessageSid=SM…NumMedia0` without a
 * `NumMedia` field) under the same signature; a strict id cannot absorb the next field, so it
 * stays the id Twilio sent, and de-duplication and replay refusal hold.
 */
export function twilioSid(fields: Record<string, unknown>, name: 'MessageSid' | 'CallSid'): string | undefined {
  const value = field(fields, name);
  const shape = name === 'MessageSid' ? /^(SM|MM)[0-9a-f]{32}$/ : /^CA[0-9a-f]{32}$/;
  return value !== undefined && shape.test(value) ? value : undefined;
}
