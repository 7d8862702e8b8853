// The sign-ins waiting on a link (modes oauth, web, email): one record per link, under a hash of its
// `state`, so the store never holds a link that works; and, per conversation and definition,
// the hash of the newest link, so asking again replaces it and a typed code finds it.
// Records are sealed whole: they hold the PKCE verifier, the service's temp data, the address a
// link was mailed to and, once the page was passed, the token waiting for its code.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Cipher } from '../stores/cipher.js';
import type { Keyed, TokenRecord } from '../stores/store.js';
import type { User } from '../runtime/turn.js';

/** What a link stays bound to: its conversation and definition. */
export interface LinkOwner {
  bot: string;
  definition: string;
  user: User;
  conversation: string;
  /** Session.since: `scope: "conversation"` tokens belong to this conversation, not the next. */
  since?: number;
}

export interface PendingLink extends LinkOwner {
  status: 'pending' | 'signed-in' | 'used';
  expiresAt: number;
  /** The user types the page's code in the chat to finish. */
  verify: boolean;
  /** OAuth: the PKCE code verifier. */
  verifier?: string;
  /** Botize's `temp_data_to_save`, given back to `endUrl`. */
  temp?: string;
  /** Mode email: the address the link was mailed to, for the confirm call; kept nowhere else, and only until then. */
  email?: string;
  /** After the page, with `verify`: the token, waiting for the code. */
  signedIn?: TokenRecord & { ttlSeconds: number };
  /** A keyed digest of the code the page showed. */
  codeDigest?: string;
}

// Kept past its expiry so that a late click reads "expired" (410), not "unknown" (400).
const afterExpirySeconds = 3600;

export function newState(): string {
  return randomBytes(32).toString('base64url');
}

/** A 43-character base64url string, as newState makes: anything else is forged. */
export function isStateShaped(state: unknown): state is string {
  return typeof state === 'string' && /^[A-Za-z0-9_-]{43}$/.test(state);
}

export function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export class PendingLinks {
  constructor(
    private readonly keyed: Keyed,
    private readonly cipher: Cipher,
  ) {}

  /** Keeps a new link's record, replacing (and so voiding) the conversation's earlier one. */
  async put(hash: string, link: PendingLink, now: number): Promise<void> {
    const owner = ownerKey(link);
    const earlier = await this.keyed.get(owner);
    if (earlier !== undefined && earlier !== hash) await this.keyed.delete(recordKey(earlier));
    const ttl = Math.ceil((link.expiresAt - now) / 1000) + afterExpirySeconds;
    await this.keyed.set(recordKey(hash), this.cipher.seal(JSON.stringify(link)), ttl);
    await this.keyed.set(owner, hash, ttl);
    // The record's key cannot name its user (the callback knows only the state): this marker
    // does, so an operator's erase finds the record through it (linkRecordOf).
    await this.keyed.set(`${markerPrefix}${owner.slice('linkfor:'.length)}:${hash}`, '', ttl);
  }

  async get(hash: string): Promise<PendingLink | undefined> {
    const stored = await this.keyed.get(recordKey(hash));
    if (stored === undefined) return undefined;
    try {
      return JSON.parse(this.cipher.open(stored)) as PendingLink;
    } catch {
      return undefined;
    }
  }

  /** The hash of the conversation's newest link for `definition`. */
  newestOf(owner: Pick<LinkOwner, 'bot' | 'definition' | 'user' | 'conversation'>): Promise<string | undefined> {
    return this.keyed.get(ownerKey(owner));
  }

  /** Rewrites a record in place, keeping its time to live. */
  async update(hash: string, link: PendingLink, now: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil((link.expiresAt - now) / 1000) + afterExpirySeconds);
    await this.keyed.set(recordKey(hash), this.cipher.seal(JSON.stringify(link)), ttl);
  }

  /** Spent: a tombstone that holds nothing secret, so a second use reads "used" (410). */
  async spend(hash: string, link: PendingLink, now: number): Promise<void> {
    const { verifier: _v, temp: _t, email: _e, signedIn: _s, codeDigest: _c, ...rest } = link;
    await this.update(hash, { ...rest, status: 'used' }, now);
    if ((await this.keyed.get(ownerKey(link))) === hash) await this.keyed.delete(ownerKey(link));
  }

  codeDigest(hash: string, code: string): string {
    return this.cipher.fingerprint(`${hash}:${code}`);
  }

  codeMatches(link: PendingLink, hash: string, code: string): boolean {
    if (link.codeDigest === undefined) return false;
    const typed = Buffer.from(this.codeDigest(hash, code));
    const kept = Buffer.from(link.codeDigest);
    return typed.length === kept.length && timingSafeEqual(typed, kept);
  }
}

function recordKey(hash: string): string {
  return `link:${hash}`;
}

const markerPrefix = 'linkof:';

/** The record a user's link marker stands for (`linkof:…:HASH` → `link:HASH`), for erasing; undefined for other keys. */
export function linkRecordOf(keyedKey: string): string | undefined {
  if (!keyedKey.startsWith(markerPrefix)) return undefined;
  const hash = keyedKey.slice(keyedKey.lastIndexOf(':') + 1);
  return hash === '' ? undefined : recordKey(hash);
}

function ownerKey(owner: Pick<LinkOwner, 'bot' | 'definition' | 'user' | 'conversation'>): string {
  return `linkfor:${owner.bot}:${owner.definition}:${owner.user.via}:${owner.conversation}`;
}
