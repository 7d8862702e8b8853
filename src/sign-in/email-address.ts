// The address an email sign-in mails its link to. It is personal data: the chat checks it, the
// effect mails it and seals it in the pending link, and everywhere else (the account name, the
// bot's words, logs) it appears masked.
import { isEmailAddress } from '../runtime/answers.js';

// A mailbox as people type one. Quotes, commas, brackets and the like are legal in some corners
// of RFC 5321 but are how one field becomes several recipients or headers: never needed here.
const unsafe = /[\s,;:<>"()[\]\\\u0000-\u001f\u007f]/;

/** The address as typed, when it is one a sign-in mails to; else undefined. */
export function signInAddress(typed: string): string | undefined {
  const text = typed.trim();
  if (text.length > 254 || !isEmailAddress(text) || unsafe.test(text)) return undefined;
  return text;
}

/** What may be shown or logged of an address: its first character and its domain (a***@example.com). */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${[...address][0]}***${address.slice(at)}`;
}

/** One spelling per mailbox, for counting the mails sent to it: case and Unicode width do not make another. */
export function addressKey(address: string): string {
  return address.normalize('NFKC').toLowerCase();
}
