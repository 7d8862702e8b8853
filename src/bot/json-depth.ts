// How deep a bot file nests, found before anything reads it recursively: the JSON parser and
// the schema recurse once per level, so a file nested thousands of levels deep would overflow
// the stack and crash `validate` instead of getting a message.
import type { JsonPath } from './bot-source.js';

/** Deeper than any bot file needs (a web service body sits about 7 levels down). */
export const maxDepth = 64;

export interface TooDeep {
  /** The `{` or `[` that opens level `maxDepth + 1`. */
  offset: number;
  /** Where that value is, as far as the text says; a key that is not closed yet is ''. */
  path: JsonPath;
}

interface Open {
  kind: 'object' | 'array';
  /** The key being read in an object, the index of the item in a list. */
  at: string | number;
  /** In an object: the next string is a key. */
  expectingKey: boolean;
}

/**
 * The first place where objects and lists nest deeper than `maxDepth`, scanning the text once
 * without recursion. It tokenizes only as far as depth needs (strings, comments, brackets), and
 * reads text that is not valid JSON the way the parser would, so the syntax error is reported
 * afterwards as usual.
 */
export function findTooDeep(text: string): TooDeep | undefined {
  const open: Open[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = open.at(-1);
      if (top?.kind === 'object' && top.expectingKey) top.at = decodeKey(text.slice(i, end));
      i = end;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i += 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      continue;
    }
    if (c === '{' || c === '[') {
      if (open.length >= maxDepth) return { offset: i, path: open.map((o) => o.at) };
      open.push(c === '{' ? { kind: 'object', at: '', expectingKey: true } : { kind: 'array', at: 0, expectingKey: false });
    } else if (c === '}' || c === ']') {
      // Only the closer of the innermost level ends it: the parser, recovering from a stray
      // closer (`[},`), reads on inside the array, so the scan must not count a level less.
      if (open.at(-1)?.kind === (c === '}' ? 'object' : 'array')) open.pop();
    } else if (c === ',') {
      const top = open.at(-1);
      if (top?.kind === 'array' && typeof top.at === 'number') top.at += 1;
      else if (top?.kind === 'object') top.expectingKey = true;
    } else if (c === ':') {
      const top = open.at(-1);
      if (top?.kind === 'object') top.expectingKey = false;
    }
    i += 1;
  }
  return undefined;
}

// As the parser reads a string: to its closing quote, or to the end of the line when it has none.
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n' || c === '\r') return i;
    else i += 1;
  }
  return text.length;
}

function decodeKey(quoted: string): string {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : quoted;
  } catch {
    return quoted.replace(/^"|"$/g, '');
  }
}
