// The cipher of TOKEN_ENCRYPTION_KEY: it seals cached tokens, secret answers waiting between
// two questions, and makes the keyed digests of account names.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { TokenRecord } from './store.js';

/** Seals secrets before a store keeps them, so a dump of Redis (or of the heap) does not leak them. */
export interface Cipher {
  seal(plain: string): string;
  /** Throws when `sealed` was altered, truncated or sealed under another key. */
  open(sealed: string): string;
  /**
   * A keyed digest of `text` (HMAC-SHA256, 22 characters): the same for every instance with the
   * same key, and not reversible by trying every account number without the key.
   */
  fingerprint(text: string): string;
}

// The prefix names the format, so a later format (another algorithm, key rotation) can be
// told apart from values already stored.
const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A cipher from `TOKEN_ENCRYPTION_KEY`: 32 bytes, base64 (or base64url). */
export function createCipher(base64Key: string): Cipher {
  const trimmed = base64Key.trim();
  // Buffer.from silently skips characters outside the alphabet, so check the text itself: a
  // hex key or a passphrase must not be accepted as some other 32 bytes by accident.
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    // Never echo the key: this message ends up in logs.
    throw new Error(
      `TOKEN_ENCRYPTION_KEY must be ${KEY_BYTES} bytes encoded in base64 (it decodes to ${key.length}); ` +
        'make one with `openssl rand -base64 32`',
    );
  }
  return cipherWithKey(key);
}

/**
 * A cipher with a random key that lives as long as this process: for secrets that only need to
 * survive between two turns of one conversation when no TOKEN_ENCRYPTION_KEY is set.
 */
export function createEphemeralCipher(): Cipher {
  return cipherWithKey(randomBytes(KEY_BYTES));
}

function cipherWithKey(key: Buffer): Cipher {
  // A key of its own for digests, so no HMAC output is ever made with the sealing key itself.
  const digestKey = createHmac('sha256', key).update('parley fingerprint v1').digest();
  return {
    fingerprint(text) {
      return createHmac('sha256', digestKey).update(text).digest('base64url').slice(0, 22);
    },
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return VERSION + Buffer.concat([iv, tag, body]).toString('base64url');
    },
    open(sealed) {
      if (!sealed.startsWith(VERSION)) throw new Error('sealed value has an unknown format');
      const raw = Buffer.from(sealed.slice(VERSION.length), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is truncated');
      const iv = raw.subarray(0, IV_BYTES);
      const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      // final() throws when the tag does not match: tampered data or another key.
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/** A token record as the stores keep it at rest: JSON, sealed when there is a cipher. */
export function sealTokenRecord(record: TokenRecord, cipher: Cipher | undefined): string {
  const json = JSON.stringify({ token: record.token, account: record.account, refresh: record.refresh, expiresAt: record.expiresAt });
  return cipher ? cipher.seal(json) : json;
}

/**
 * Reads a record written by sealTokenRecord. A record that cannot be opened (key changed, value
 * altered, stored in clear before a key was set) counts as absent: the user signs in again,
 * where throwing would fail every turn of that conversation until the token expires.
 */
export function openTokenRecord(stored: string, cipher: Cipher | undefined): TokenRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cipher ? cipher.open(stored) : stored);
  } catch {
    return undefined;
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'token' in parsed &&
    'account' in parsed &&
    typeof parsed.token === 'string' &&
    typeof parsed.account === 'string'
  ) {
    const record: TokenRecord = { token: parsed.token, account: parsed.account };
    if ('refresh' in parsed && typeof parsed.refresh === 'string') record.refresh = parsed.refresh;
    if ('expiresAt' in parsed && typeof parsed.expiresAt === 'number') record.expiresAt = parsed.expiresAt;
    return record;
  }
  return undefined;
}
