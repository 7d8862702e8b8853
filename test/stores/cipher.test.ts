import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEphemeralCipher, createCipher } from '../../src/stores/cipher.js';

const key = randomBytes(32).toString('base64');

describe('token cipher', () => {
  it('opens what it sealed', () => {
    const cipher = createCipher(key);
    for (const plain of ['', 'ya29.a0AfH6SM', '{"token":"t","account":"a"}', '👋 héllo'.repeat(100)]) {
      expect(cipher.open(cipher.seal(plain))).toBe(plain);
    }
  });

  it('seals to one compact, versioned string that does not contain the secret', () => {
    const sealed = createCipher(key).seal('my-secret-token');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('my-secret-token');
  });

  it('seals the same text differently every time', () => {
    const cipher = createCipher(key);
    expect(cipher.seal('same')).not.toBe(cipher.seal('same'));
  });

  it('accepts the key in base64url and with surrounding whitespace', () => {
    const raw = randomBytes(32);
    const sealed = createCipher(raw.toString('base64')).seal('x');
    expect(createCipher(` ${raw.toString('base64url')}\n`).open(sealed)).toBe('x');
  });

  it('refuses to open altered data', () => {
    const cipher = createCipher(key);
    const sealed = cipher.seal('a token worth stealing');
    const body = Buffer.from(sealed.slice(3), 'base64url');
    for (const at of [0, 12, 20, body.length - 1]) {
      const altered = Buffer.from(body);
      altered[at] = (altered[at] ?? 0) ^ 1;
      expect(() => cipher.open(`v1.${altered.toString('base64url')}`)).toThrow();
    }
    expect(() => cipher.open(sealed.slice(0, 20))).toThrow();
    expect(() => cipher.open(sealed.replace(/^v1\./, 'v2.'))).toThrow();
    expect(() => cipher.open('{"token":"plain"}')).toThrow();
  });

  it('cannot open what another key sealed', () => {
    const sealed = createCipher(key).seal('secret');
    expect(() => createCipher(randomBytes(32).toString('base64')).open(sealed)).toThrow();
  });

  it('rejects a key that is not 32 bytes, says how to make one, and does not repeat the key', () => {
    const bad = [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(32).toString('hex'),
      'correct horse battery staple',
      '',
    ];
    for (const candidate of bad) {
      let message = '';
      try {
        createCipher(candidate);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('openssl rand -base64 32');
      if (candidate !== '') expect(message).not.toContain(candidate);
    }
  });
});

describe('ephemeral cipher', () => {
  it('opens what it sealed, and only that process-local key can', () => {
    const one = createEphemeralCipher();
    const two = createEphemeralCipher();
    const sealed = one.seal('answer to a secret question');
    expect(one.open(sealed)).toBe('answer to a secret question');
    expect(() => two.open(sealed)).toThrow();
  });
});
