// What an operator may see of a conversation's variables: everything but secrets. Sessions
// never hold a secret answer or a token (the runtime keeps them out), but a variable saved
// from an API may be one by its nature ("apiKey", "sessionToken"): such values, and values
// shaped like a bearer token (a JWT), are shown as a mask. Recursive, and bounded, since
// saved answers may nest.
import { secretKind } from '../bot/checks/steps.js';
import type { JsonValue } from '../json.js';

export const mask = '••••';

// Words of a name (camelCase, snake_case, kebab-case split) that say it holds a credential.
const credentialWords = new Set(['token', 'tokens', 'auth', 'authorization', 'bearer', 'apikey', 'key', 'cookie', 'credential', 'credentials', 'session', 'signature', 'jwt']);
const jwtShaped = /^(Bearer\s+)?eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
const maxDepth = 32;

export function maskVariables(vars: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  return maskObject(vars, 0);
}

function maskObject(object: Readonly<Record<string, JsonValue>>, depth: number): Record<string, JsonValue> {
  const shown: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(object)) shown[name] = secretName(name) ? mask : maskValue(value, depth + 1);
  return shown;
}

function maskValue(value: JsonValue, depth: number): JsonValue {
  if (depth > maxDepth) return mask;
  if (typeof value === 'string') return jwtShaped.test(value.trim()) ? mask : value;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  if (value !== null && typeof value === 'object') return maskObject(value, depth);
  return value;
}

function secretName(name: string): boolean {
  if (secretKind(name) !== undefined) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => credentialWords.has(word));
}
