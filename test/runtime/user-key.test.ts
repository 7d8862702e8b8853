// How keys name users: `keyPart` has a fast path for ids that need no escaping; it must give
// what the escaping gives, and the escaping must never leave a character that splits a key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPart, readKeyPart, userKey } from '../../src/runtime/user-key.js';
import { fuzzParameters } from '../fuzz/settings.js';

describe('user keys', () => {
  it('keeps phone numbers and plain ids as they are', () => {
    expect(userKey({ via: 'twilio', channel: 'sms', id: '+15550001234' })).toBe('twilio:sms:+15550001234');
    expect(keyPart('US.1349120865530')).toBe('US.1349120865530');
    expect(keyPart('a@b.example')).toBe('a@b.example');
  });

  it('escapes what would split a key, pose as a hash tag or match in a SCAN pattern', () => {
    expect(keyPart('a:b')).toBe('a%3Ab');
    expect(keyPart('{x}')).toBe('%7Bx%7D');
    expect(keyPart('*?[')).toBe('%2A%3F%5B');
    expect(keyPart("it's (me)!~")).toBe('it%27s%20%28me%29%21%7E');
  });

  it('is read back as it was, and never holds : { } * ? [ ] for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const part = keyPart(text);
        expect(part).not.toMatch(/[:{}*?[\]\\]/);
        expect(readKeyPart(part)).toBe(text);
      }),
      fuzzParameters(300),
    );
  });
});
