// X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256 of the raw body with the app secret. Checked
// over the bytes as they arrived: re-serialised JSON would not match.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function isSignedByMeta(appSecret: string, header: string | undefined, raw: Buffer): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  // timingSafeEqual throws on different lengths; a wrong length is simply wrong.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
