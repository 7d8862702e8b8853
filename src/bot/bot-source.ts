// The text of a bot file and its syntax tree, so that any check can turn the JSON path of
// what it found into a line, a column and a JSON pointer in the file the author edits.
import { findNodeAtLocation } from 'jsonc-parser';
import type { Node } from 'jsonc-parser';
import type { Problem, ProblemCode, Severity } from './problems.js';

export type JsonPath = ReadonlyArray<string | number>;

/**
 * Where on the path a problem is shown:
 * - `value`: the value at the path (the default);
 * - `key`: the property name of the last segment (unknown keys, names that are wrong);
 * Either falls back to the nearest enclosing value that exists, which is where a missing key
 * belongs.
 */
export type Anchor = 'value' | 'key';

export interface ProblemOptions {
  at?: Anchor;
  /** Characters into the string value at the path (after decoding escapes), for a spot inside a template. */
  within?: number;
}

export class BotSource {
  readonly #lineStarts: number[];

  constructor(
    readonly file: string,
    readonly text: string,
    readonly root: Node | undefined,
  ) {
    this.#lineStarts = lineStarts(text);
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }

  /** The value node at a path, if the file has it. */
  node(path: JsonPath): Node | undefined {
    if (!this.root) return undefined;
    if (path.length === 0) return this.root;
    return findNodeAtLocation(this.root, [...path]);
  }

  /** The offset a problem about `path` points at. */
  offset(path: JsonPath, options: ProblemOptions = {}): number {
    if (!this.root) return 0;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.node(path.slice(0, depth));
      if (!node) continue;
      const exact = depth === path.length;
      if (exact && options.at === 'key' && node.parent?.type === 'property') return node.parent.offset;
      if (exact && options.within !== undefined && node.type === 'string') return this.#offsetInString(node, options.within);
      return node.offset;
    }
    return this.root.offset;
  }

  problem(severity: Severity, code: ProblemCode, path: JsonPath, message: string, options: ProblemOptions = {}): Problem {
    const { line, column } = this.position(this.offset(path, options));
    return { severity, file: this.file, line, column, pointer: jsonPointer(path), message, code };
  }

  error(code: ProblemCode, path: JsonPath, message: string, options?: ProblemOptions): Problem {
    return this.problem('error', code, path, message, options);
  }

  warning(code: ProblemCode, path: JsonPath, message: string, options?: ProblemOptions): Problem {
    return this.problem('warning', code, path, message, options);
  }

  /** The line an existing value starts on, for messages that refer to another place in the file. */
  lineOf(path: JsonPath): number {
    return this.position(this.offset(path)).line;
  }

  // A string's decoded characters and its source text differ wherever it has escapes, so walk
  // the source to find where decoded character `index` was written.
  #offsetInString(node: Node, index: number): number {
    const end = node.offset + node.length - 1;
    let at = node.offset + 1;
    for (let decoded = 0; decoded < index && at < end; decoded++) {
      if (this.text[at] === '\\') at += this.text[at + 1] === 'u' ? 6 : 2;
      else at += 1;
    }
    return Math.min(at, end);
  }
}

export function jsonPointer(path: JsonPath): string {
  return path.map((segment) => '/' + String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \r\n counts once; a lone \r is a line break as JSON sees it.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}
