// The messaging webhook writes its TwiML as a string (channels/twilio-sms/outbound.ts) for
// speed; Twilio's SDK stays the reference. For any texts, control characters, lone surrogates
// and markup included, both must write the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import MessagingResponse from 'twilio/lib/twiml/MessagingResponse.js';
import { messageTexts, messagingTwiml } from '../../channels/twilio-sms/outbound.js';
import { xmlText } from '../../channels/xml-text.js';
import type { TurnOutput } from '../../src/runtime/turn.js';
import { fuzzParameters } from '../fuzz/settings.js';

function bySdk(output: TurnOutput): string {
  const response = new MessagingResponse();
  for (const text of messageTexts(output)) response.message(xmlText(text));
  return response.toString();
}

// Any UTF-16 code unit, so lone surrogates and every control character come up, with the
// characters XML escapes made likely.
const unit = fc.oneof(fc.constantFrom('&', '<', '>', '\r', '\n', '"', "'", ']]>', '&amp;', '\u0000', '\ufffe', '\ud83d', '\ude00', '😀'), fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)));
const text = fc.string({ unit, maxLength: 40 });
const output = fc.record({
  replies: fc.array(fc.record({ text }), { maxLength: 4 }),
  ended: fc.boolean(),
  prompt: fc.option(fc.record({ text, input: fc.constant('text' as const), keypad: fc.constant(false), secret: fc.constant(false) }), { nil: undefined }),
});

describe('messaging TwiML', () => {
  it('is what the SDK writes, for any texts', () => {
    fc.assert(
      fc.property(output, (turn) => {
        const { prompt, ...rest } = turn;
        const value: TurnOutput = prompt === undefined ? rest : { ...rest, prompt };
        expect(messagingTwiml(value)).toBe(bySdk(value));
      }),
      fuzzParameters(500),
    );
  });

  it('is an empty <Response/> when there is nothing to say, as the SDK writes it', () => {
    const silent: TurnOutput = { replies: [{ text: '' }], ended: true };
    expect(messagingTwiml(silent)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(messagingTwiml(silent)).toBe(bySdk(silent));
  });

  it('escapes markup and keeps a carriage return', () => {
    expect(messagingTwiml({ replies: [{ text: 'a < b & c > d\r\ne' }], ended: false })).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>a &lt; b &amp; c &gt; d&#xD;\ne</Message></Response>');
  });
});
