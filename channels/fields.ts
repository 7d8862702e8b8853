// Reading what platforms send, shared by every channel: webhook bodies are untrusted JSON or
// forms, so every value is checked for its type where it is read.

export type Json = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of a list; anything else is no list. */
export function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** A string, or a number as a string (ids platforms send either way). */
export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** The value at `path` inside nested objects, or undefined. */
export function dig(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) at = isRecord(at) ? at[key] : undefined;
  return at;
}

/** A form field as one string: repeated fields are malformed for the fields we read. */
export function field(fields: Json, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
}

const e164 = /^\+[1-9]\d{6,14}$/;

/** `id` as the user's phone number, when it is one in E.164 form. */
export function phoneOf(id: string): { phone?: string } {
  return e164.test(id) ? { phone: id } : {};
}
