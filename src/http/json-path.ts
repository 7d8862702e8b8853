// Reads the `tokenPath`, `expiresInPath`, `accountPath` and `save` paths of a bot out of a
// service's JSON answer. Authors write no code (bot-format.md), so JSONPath runs with eval
// off: script and filter expressions are refused, never run.
import { JSONPath } from 'jsonpath-plus';

/** A path that cannot be read: a script expression, or a path that is not well formed. */
export class PathError extends Error {
  override readonly name = 'PathError';
  readonly code = 'json-path';
}

/** Why a path cannot be read: empty, a script or filter expression, or a JSONPath that does not parse. */
export type PathFault = 'empty' | 'script' | 'syntax';

// The JSONPath this engine reads: `$` then `.name`, `..name`, `.*`, `[0]`, `[-1]`, `[*]`,
// `['name']`, `["name"]`, slices (`[0:2]`) and unions (`[0,1]`). jsonpath-plus reads much more
// (and guesses at what it cannot parse: "$.a[" is "$.a"), so a path is held to this before it
// is handed over; what an author writes is then what runs.
const name = String.raw`[\p{L}\p{N}_$-]+`;
const quoted = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const selector = String.raw`(?:${quoted}|-?[0-9]*:-?[0-9]*(?::-?[0-9]+)?|-?[0-9]+|\*)`;
const bracket = String.raw`\[${selector}(?:,${selector})*\]`;
const plainJsonPath = new RegExp(String.raw`^\$(?:\.\.(?:${name}|\*|${bracket})|\.(?:${name}|\*)|${bracket})*$`, 'u');

/**
 * Why `path` cannot be read, or undefined when it can. The loader refuses a bot with such a
 * path and `readPath` refuses to read one, both through this function, so a path that loads is
 * a path that runs. Field names and dotted paths can always be read.
 */
export function pathFault(path: string): PathFault | undefined {
  if (path === '') return 'empty';
  if (!path.startsWith('$')) return undefined;
  let segments: string[];
  try {
    segments = JSONPath.toPathArray(path);
  } catch {
    return 'syntax';
  }
  // jsonpath-plus runs `[?(…)]` and `[(…)]` as code; with eval off they throw instead, and an
  // author would only learn at run time that nothing was ever read.
  if (segments.some((segment) => segment.startsWith('?') || segment.startsWith('('))) return 'script';
  return plainJsonPath.test(path) ? undefined : 'syntax';
}

const faultReasons: Record<PathFault, string> = {
  empty: 'the path is empty',
  script: 'script and filter expressions ([?(...)], (...)) are not allowed',
  syntax: 'it is not a valid JSONPath',
};

/**
 * The value at `path` in `data`, or undefined. `path` is a field name (`token`), a dotted path
 * (`data.auth.token`, `items.0.id`) or a JSONPath (`$.data.token`); a JSONPath with several
 * matches gives the first. Throws a `PathError` for a path `pathFault` finds fault with.
 */
export function readPath(data: unknown, path: string): unknown {
  const fault = pathFault(path);
  if (fault === 'empty') throw new PathError(faultReasons.empty);
  if (fault !== undefined) throw new PathError(`cannot read the path ${JSON.stringify(path)}: ${faultReasons[fault]}`);
  return path.startsWith('$') ? readJsonPath(data, path) : readDotted(data, path);
}

function readJsonPath(data: unknown, path: string): unknown {
  let matches: unknown;
  try {
    // wrap: true, so one match that is an array and several matches cannot be confused.
    matches = JSONPath({ path, json: data, eval: false, wrap: true });
  } catch (error) {
    const reason = error instanceof Error && /eval|script|prevented/i.test(error.message) ? faultReasons.script : faultReasons.syntax;
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
