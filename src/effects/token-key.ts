// Where a cached token lives: per bot, definition, scope and user (or conversation).
import type { AuthTokenDefinition, CredentialsDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
import { placeholders } from '../templates/template.js';
import { isAuthenticated } from '../runtime/turn.js';
import { userKey } from '../runtime/user-key.js';

/**
 * On the phone caller ID can be forged, so a token is kept for the call unless the author says
 * otherwise. A user id no platform vouched for is never trusted with a user's token, whatever
 * the author says: anyone could send that id; nor is a web chat user id.
 */
export function scopeOf(definition: AuthTokenDefinition, turn: Pick<EffectTurn, 'user'>): 'user' | 'conversation' {
  if (!isAuthenticated(turn.user.via)) return 'conversation';
  // Web chat's user ids are made by the page that embeds it, whoever wrote that page: a token
  // signed in there (by link: the only way web chat has) serves its conversation alone.
  if (turn.user.channel === 'web') return 'conversation';
  return definition.scope ?? (turn.user.channel === 'phone' ? 'conversation' : 'user');
}

export function tokenKey(token: string, definition: AuthTokenDefinition, turn: Pick<EffectTurn, 'bot' | 'user' | 'conversation' | 'session'>): string {
  const owner = scopeOf(definition, turn) === 'conversation' ? `c:${conversationOf(turn)}` : `u:${userKey(turn.user)}`;
  return `${turn.bot.id}:${token}:${owner}`;
}

/** What a token key says (for operators): whose bot and definition, which scope, which authority. */
export interface TokenKeyParts {
  bot: string;
  definition: string;
  scope: 'user' | 'conversation';
  /** The authority of the user (or of the conversation's user). */
  authority: string;
}

/** Reads a key `tokenKey` made; undefined for anything else. */
export function readTokenKey(key: string): TokenKeyParts | undefined {
  // Bot and definition ids hold no ':' (the schema's id rule); the owner follows.
  const [bot, definition, owner, authority] = key.split(':');
  if (bot === undefined || definition === undefined || authority === undefined || (owner !== 'u' && owner !== 'c')) return undefined;
  return { bot, definition, scope: owner === 'u' ? 'user' : 'conversation', authority };
}

/** This conversation, not the next one on the same id (an SMS thread goes on after an `end`). */
function conversationOf(turn: Pick<EffectTurn, 'conversation' | 'session'>): string {
  return turn.session.since === undefined ? turn.conversation : `${turn.conversation}:${turn.session.since}`;
}

/** Failures are counted per user and definition, whatever the scope, so a new call does not reset them. */
export function failureKey(token: string, turn: Pick<EffectTurn, 'bot' | 'user'>): string {
  return `${turn.bot.id}:${token}:${userKey(turn.user)}`;
}

/** Reads a key `failureKey` made (not an account's): whose bot and definition, which authority. */
export function readFailureKey(key: string): { bot: string; definition: string; authority: string } | undefined {
  const [bot, definition, authority, channel] = key.split(':');
  if (bot === undefined || definition === undefined || authority === undefined || channel === undefined || authority === 'account') return undefined;
  return { bot, definition, authority };
}

/**
 * Failures are also counted per account of a definition, so one account cannot be guessed at
 * from many numbers. The account is the first answer that is not secret (the username); else
 * the first extra field filled from a conversation variable (a username asked by an earlier
 * question); else the first answer (an account number asked as a secret). Spellings that reach
 * the same account (case, width, spaces, invisible characters) count as one, and the store
 * keeps only a keyed digest of it.
 */
export function accountFailureKey(
  token: string,
  definition: CredentialsDefinition,
  values: { answers: Record<string, string>; fields: Record<string, string> },
  turn: Pick<EffectTurn, 'bot'>,
  fingerprint: (text: string) => string,
): string | undefined {
  const name = accountOf(definition, values)?.normalize('NFKC').toLowerCase().replace(/[\s\p{Cf}]/gu, '');
  if (name === undefined || name === '') return undefined;
  return `${turn.bot.id}:${token}:account:${fingerprint(name)}`;
}

function accountOf(definition: CredentialsDefinition, { answers, fields }: { answers: Record<string, string>; fields: Record<string, string> }): string | undefined {
  const named = definition.questions.find((question) => !question.secret);
  if (named !== undefined) return answers[named.field];
  for (const [field, template] of Object.entries(definition.fields ?? {})) {
    if (placeholders(template).some((name) => !name.startsWith('secret.') && !name.startsWith('user.'))) return fields[field];
  }
  const first = definition.questions[0];
  return first === undefined ? undefined : answers[first.field];
}
