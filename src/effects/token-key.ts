// Where a cached token lives: per bot, definition, scope and user (or conversation).
import { createHash } from 'node:crypto';
import type { AuthTokenDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';
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
 * Failures are also counted per account of a definition (its first answer that is not secret,
 * the username), so one account cannot be guessed at from many numbers. The name is hashed:
 * the store keeps no username in clear for this. Undefined when every answer is secret.
 */
export function accountFailureKey(token: string, definition: AuthTokenDefinition, answers: Record<string, string>, turn: Pick<EffectTurn, 'bot'>): string | undefined {
  const first = definition.questions.find((question) => !question.secret);
  const name = first === undefined ? undefined : answers[first.field]?.trim().toLowerCase();
  if (name === undefined || name === '') return undefined;
  return `${turn.bot.id}:${token}:account:${createHash('sha256').update(name).digest('base64url').slice(0, 22)}`;
}
