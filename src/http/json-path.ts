// Reads the `tokenPath`, `expiresInPath`, `accountPath` and `save` paths of a bot out of a
// service's JSON answer. Authors write no code (bot-format.md), so JSONPath runs with eval
// off: script and filter expressions are refused, never run.
import { JSONPath } from 'jsonpath-plus';

/** A path that cannot be read: a script expression, or a path that is not well formed. */
export class PathError extends Error {
  override readonly name = 'PathError';
  readonly code = 'json-path';
}

/**
 * The value at `path` in `data`, or undefined. `path` is a field name (`token`), a dotted path
 * (`data.auth.token`, `items.0.id`) or a JSONPath (`$.data.token`); a JSONPath with several
 * matches gives the first. Throws a `PathError` for a JSONPath script or filter expression.
 */
export function readPath(data: unknown, path: string): unknown {
  if (path === '') throw new PathError('the path is empty');
  return path.startsWith('$') ? readJsonPath(data, path) : readDotted(data, path);
}

function readJsonPath(data: unknown, path: string): unknown {
  let matches: unknown;
  try {
    // wrap: true, so one match that is an array and several matches cannot be confused.
    matches = JSONPath({ path, json: data, eval: false, wrap: true });
  } catch (error) {
    const reason = error instanceof Error && /eval|script|prevented/i.test(error.message) ? 'script and filter expressions ([?(...)], (...)) are not allowed' : 'it is not a valid JSONPath';
    throw new PathError(`cannot read the path ${JSON.stringify(path)}: ${reason}`);
  }
  return Array.isArray(matches) ? matches[0] : undefined;
}

/**
 * At each level the longest run of segments that names an own key wins, so a key that holds a
 * dot (`{"a.b": 1}`) is found before `a` then `b`. No backtracking: a path is read one way.
 */
function readDotted(data: unknown, path: string): unknown {
  const segments = path.split('.');
  let node = data;
  let at = 0;
  while (at < segments.length) {
    if (node === null || typeof node !== 'object') return undefined;
    let step = 0;
    for (let end = segments.length; end > at; end -= 1) {
      if (hasKey(node, segments.slice(at, end).join('.'))) {
        step = end - at;
        break;
      }
    }
    if (step === 0) return undefined;
    node = (node as Record<string, unknown>)[segments.slice(at, at + step).join('.')];
    at += step;
  }
  return node;
}

// Own keys only: `constructor`, `__proto__` or an array's `length` are never a value of the data.
function hasKey(node: object, key: string): boolean {
  if (Array.isArray(node)) return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < node.length;
  return Object.hasOwn(node, key);
}
