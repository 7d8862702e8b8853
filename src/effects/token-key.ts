// Where a cached token lives: per bot, definition, scope and user (or conversation).
import type { AuthTokenDefinition, CredentialsDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
import { placeholders } from '../templates/template.js';
import { isAuthenticated } from '../runtime/turn.js';

/**
 * On the phone caller ID can be forged, so a token is kept for the call unless the author says
 * otherwise. A user id no platform vouched for is never trusted with a user's token, whatever
 * the author says: anyone could send that id.
 */
export function scopeOf(definition: AuthTokenDefinition, turn: Pick<EffectTurn, 'user'>): 'user' | 'conversation' {
  if (!isAuthenticated(turn.user.via)) return 'conversation';
  return definition.scope ?? (turn.user.channel === 'phone' ? 'conversation' : 'user');
}

export function tokenKey(token: string, definition: AuthTokenDefinition, turn: Pick<EffectTurn, 'bot' | 'user' | 'conversation' | 'session'>): string {
  const owner = scopeOf(definition, turn) === 'conversation' ? `c:${conversationOf(turn)}` : `u:${turn.user.via}:${turn.user.channel}:${turn.user.id}`;
  return `${turn.bot.id}:${token}:${owner}`;
}

/** This conversation, not the next one on the same id (an SMS thread goes on after an `end`). */
function conversationOf(turn: Pick<EffectTurn, 'conversation' | 'session'>): string {
  return turn.session.since === undefined ? turn.conversation : `${turn.conversation}:${turn.session.since}`;
}

/** Failures are counted per user and definition, whatever the scope, so a new call does not reset them. */
export function failureKey(token: string, turn: Pick<EffectTurn, 'bot' | 'user'>): string {
  return `${turn.bot.id}:${token}:${turn.user.via}:${turn.user.channel}:${turn.user.id}`;
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
