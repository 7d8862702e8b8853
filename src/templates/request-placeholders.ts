// Every placeholder a request's templates use: its URL, its header values, and the keys and
// string values of its JSON body. The interpreter fills the conversation's values from them;
// the effect finds the credentials among them.
import type { JsonValue } from '../json.js';
import { placeholders } from './template.js';

export interface RequestTemplates {
  url: string;
  headers?: Record<string, string>;
  body?: JsonValue;
}

/** Names in order of first appearance, each once. */
export function requestPlaceholders(request: RequestTemplates): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') for (const name of placeholders(value)) names.add(name);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) (visit(key), visit(item));
  };
  visit(request.url);
  visit(request.headers ?? {});
  visit(request.body ?? null);
  return [...names];
}

/** Placeholders that stand for a credential: filled by the effect, never by the interpreter. */
export function isCredential(name: string): boolean {
  return name === 'authtoken' || name.startsWith('authtoken.') || name.startsWith('secret.');
}
