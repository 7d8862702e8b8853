// What a placeholder name means in text the user sees: the conversation's variables (with
// dotted paths into objects), `user.*` and `account`. Tokens and `secret.*` are deliberately
// absent here: they are reachable only where the effect runner builds a request.
import type { Session } from './session.js';
import type { JsonValue } from '../json.js';
import type { User } from './turn.js';

export function conversationValue(session: Session, user: User, name: string): JsonValue | undefined {
  if (Object.hasOwn(session.vars, name)) return session.vars[name];
  switch (name) {
    case 'user.id':
      return user.id;
    case 'user.channel':
      return user.channel;
    case 'user.phone':
      return user.phone;
    case 'account':
      return session.lastToken === undefined ? undefined : session.accounts?.[session.lastToken];
  }
  if (name.startsWith('account.')) return session.accounts?.[name.slice('account.'.length)];
  if (name.startsWith('accounts.')) return session.accountNames?.[name.slice('accounts.'.length)]?.join(', ');
  return pathInVars(session.vars, name);
}

function pathInVars(vars: Record<string, JsonValue>, name: string): JsonValue | undefined {
  let value: JsonValue | undefined = vars;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Array.isArray(value) ? value[Number(part)] : Object.hasOwn(value, part) ? value[part] : undefined;
    if (value === undefined) return undefined;
  }
  return value;
}
