// Where a cached token lives: per bot, definition, scope and user (or conversation).
import type { AuthTokenDefinition } from '../bot/schema.js';
import type { EffectTurn } from '../runtime/drive.js';

/** On the phone caller ID can be forged, so a token is kept for the call unless the author says otherwise. */
export function scopeOf(definition: AuthTokenDefinition, turn: Pick<EffectTurn, 'user'>): 'user' | 'conversation' {
  return definition.scope ?? (turn.user.channel === 'phone' ? 'conversation' : 'user');
}

export function tokenKey(token: string, definition: AuthTokenDefinition, turn: Pick<EffectTurn, 'bot' | 'user' | 'conversation'>): string {
  const owner = scopeOf(definition, turn) === 'conversation' ? `c:${turn.conversation}` : `u:${turn.user.channel}:${turn.user.id}`;
  return `${turn.bot.id}:${token}:${owner}`;
}

/** Failures are counted per user and definition, whatever the scope, so a new call does not reset them. */
export function failureKey(token: string, turn: Pick<EffectTurn, 'bot' | 'user'>): string {
  return `${turn.bot.id}:${token}:${turn.user.channel}:${turn.user.id}`;
}
