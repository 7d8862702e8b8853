// How the store's keys name a user. Every key about a user (its conversations and what they
// keep, its tokens, its back-off counters, a call's scratch values) holds its user key as
// whole ':'-separated parts, so an operator's erase finds them all by one pattern, whatever
// the key's kind: a new kind of key is found the day it is written this way.
import type { User } from './turn.js';

/**
 * `twilio:sms:+15550100001`: the authority that vouched for the user, the channel and the id.
 * The id is escaped (keyPart), so it never holds ':' and no user's key can pose as part of
 * another's, nor hold a brace (a Cluster hash tag) or a glob character (a SCAN pattern).
 */
export function userKey(user: Pick<User, 'via' | 'channel' | 'id'>): string {
  return `${user.via}:${user.channel}:${keyPart(user.id)}`;
}

/**
 * `text` as one part of a key: percent-encoded (UTF-8) but for letters, digits and `+ . _ @ = -`,
 * so phone numbers and most platform ids read as they are.
 */
export function keyPart(text: string): string {
  // Phone numbers and most platform ids need no escaping: one test instead of three passes,
  // for a key made on every turn.
  if (plain.test(text)) return text;
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%(2B|40|3D)/g, (_whole, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

const plain = /^[A-Za-z0-9+._@=-]*$/;

/** The inverse of keyPart, for showing an operator what a key names. */
export function readKeyPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
