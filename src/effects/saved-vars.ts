// What a service's JSON answer gives the conversation: the values at the step's `save` paths.
// They go into the session, which is written every turn, so a value that holds a token, or one
// too deep or too large to keep, is never saved.
import { readPath } from '../http/json-path.js';
import type { Vars } from '../runtime/session.js';
import type { JsonValue } from '../json.js';
import type { EffectDeps } from './effect-deps.js';

/** Deeper than any answer a bot needs to keep; JSON.stringify recurses, so depth is bounded. */
export const maxSavedDepth = 32;
/** All values one call saves, measured as JSON text. */
export const maxSavedBytes = 64 * 1024;

/**
 * Variables saved from a JSON answer, or undefined when the values to save are too deep or too
 * large to keep (the call then counts as failed). A value that holds one of `tokens` (the call's
 * tokens), as itself or anywhere inside, is never saved: sessions hold no tokens, and variables
 * can be shown.
 */
export function savedVars(deps: Pick<EffectDeps, 'log'>, data: unknown, save: Record<string, string> | undefined, tokens: readonly string[] = []): Vars | undefined {
  const vars: Vars = {};
  if (save === undefined) return vars;
  let budget = maxSavedBytes;
  for (const [name, path] of Object.entries(save)) {
    const value = readSafely(data, path);
    const size = jsonSize(value, maxSavedDepth, budget);
    if (size === undefined) {
      deps.log.warn({ variable: name }, `the value to save is nested deeper than ${maxSavedDepth} levels or larger than ${maxSavedBytes} bytes; the call counts as failed`);
      return undefined;
    }
    budget -= size;
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    if (tokens.some((token) => text.includes(token))) {
      deps.log.warn({ variable: name }, 'a save path points at the token itself (or at a value holding it); the token is not saved into a variable');
      continue;
    }
    vars[name] = value === undefined ? null : (value as JsonValue);
  }
  return vars;
}

/** The value at `path`, or undefined where it cannot be read. */
export function readSafely(data: unknown, path: string): unknown {
  try {
    return readPath(data, path);
  } catch {
    return undefined;
  }
}

/**
 * About how many bytes `value` takes as JSON, or undefined past `maxDepth` or `maxBytes`.
 * Iterative, so no answer can overflow the stack here.
 */
function jsonSize(value: unknown, maxDepth: number, maxBytes: number): number | undefined {
  let size = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node === 'string') size += node.length + 2;
    else if (node === null || typeof node !== 'object') size += 8;
    else {
      if (depth >= maxDepth) return undefined;
      size += 2;
      if (Array.isArray(node)) for (const child of node) stack.push([child, depth + 1]);
      else {
        for (const [key, child] of Object.entries(node)) {
          size += key.length + 4;
          stack.push([child, depth + 1]);
        }
      }
    }
    if (size > maxBytes) return undefined;
  }
  return size;
}
