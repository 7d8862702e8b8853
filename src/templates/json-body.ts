// A JSON body is rendered as a value, never as text pasted into JSON, so no value can break
// out of its string or change the document's shape.
import type { JsonValue } from '../json.js';
import { fillTemplate, onceEach, type OnMissing } from './render.js';
import { compileTemplate, type Lookup } from './template.js';

/**
 * A copy of `body` with templates filled in string values and object keys. A string that is
 * exactly one placeholder (`"{count}"`) takes the value's own JSON type; unknown is null.
 * Inserted values are not walked again: a value that looks like a template stays as it is.
 */
export function renderJsonBody(body: JsonValue, lookup: Lookup, onMissing?: OnMissing): JsonValue {
  const missing = onceEach(onMissing);
  const text = (template: string): string => fillTemplate(compileTemplate(template), lookup, missing, asIs);

  const walk = (node: JsonValue): JsonValue => {
    if (typeof node === 'string') {
      const { single } = compileTemplate(node);
      if (single === undefined) return text(node);
      const value = lookup(single);
      if (value !== undefined) return value;
      missing?.(single);
      return null;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: { [key: string]: JsonValue } = {};
    for (const [key, value] of Object.entries(node)) {
      // defineProperty, so a key that renders as "__proto__" stays a key and sets no prototype.
      Object.defineProperty(out, text(key), { value: walk(value), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };

  return walk(body);
}

const asIs = (text: string): string => text;
