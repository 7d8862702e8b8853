// X-Twilio-Signature: the URL as PUBLIC_URL spells it is checked first; the SDK's variants
// (a port added or removed) still pass; anything else is refused.
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { isSignedByTwilio, type TwilioSignatureSettings } from '../../channels/twilio/signature.js';
import { fixture } from '../server/support.js';

const authToken = 'signature-test-token';
const settings = (publicUrl: string): TwilioSignatureSettings => ({ authToken, validate: true, publicUrl: () => publicUrl });
const fields = fixture('twilio-sms.form.json');
const sign = (url: string, signed = fields) => twilio.getExpectedTwilioSignature(authToken, url, signed);

describe('Twilio signatures', () => {
  it('accepts the URL as PUBLIC_URL spells it, query string included', () => {
    expect(isSignedByTwilio(settings('https://bots.example'), sign('https://bots.example/twilio/voice?n=2'), '/twilio/voice?n=2', fields)).toBe(true);
  });

  it('accepts what the SDK accepts: the same URL with its default port, or without the one given', () => {
    expect(isSignedByTwilio(settings('https://bots.example'), sign('https://bots.example:443/twilio/sms'), '/twilio/sms', fields)).toBe(true);
    expect(isSignedByTwilio(settings('https://bots.example:443'), sign('https://bots.example/twilio/sms'), '/twilio/sms', fields)).toBe(true);
  });

  it('refuses another path, another host, other fields, another token, or none', () => {
    const url = 'https://bots.example/twilio/sms';
    expect(isSignedByTwilio(settings('https://bots.example'), sign('https://bots.example/twilio/voice'), '/twilio/sms', fields)).toBe(false);
    expect(isSignedByTwilio(settings('https://bots.example'), sign('https://other.example/twilio/sms'), '/twilio/sms', fields)).toBe(false);
    expect(isSignedByTwilio(settings('https://bots.example'), sign(url, { ...fields, Body: 'changed' }), '/twilio/sms', fields)).toBe(false);
    expect(isSignedByTwilio(settings('https://bots.example'), twilio.getExpectedTwilioSignature('another-token', url, fields), '/twilio/sms', fields)).toBe(false);
    expect(isSignedByTwilio(settings('https://bots.example'), '', '/twilio/sms', fields)).toBe(false);
    expect(isSignedByTwilio(settings('https://bots.example'), 'short', '/twilio/sms', fields)).toBe(false);
  });
});
