// Reading the JSON of a bot file: a syntax tree with offsets for every later message, and
// syntax errors in words an author who edits JSON by hand can act on.
import { getLocation, getNodePath, getNodeValue, parseTree, printParseErrorCode, visit } from 'jsonc-parser';
import type { Node, ParseError, ParseOptions } from 'jsonc-parser';
import { BotSource, jsonPointer } from './bot-source.js';
import { findTooDeep, maxDepth } from './json-depth.js';
import type { Problem } from './problems.js';

// Bot files are plain JSON, as the spec promises to every tool that reads them.
const strictJson: ParseOptions = { disallowComments: true, allowTrailingComma: false };

export interface ParsedJson {
  source: BotSource;
  /** The file's value; only when there are no problems. */
  value?: unknown;
  problems: Problem[];
}

/** What the messages call the file: conversation tests are read by the same parser. */
export interface JsonKind {
  /** "bot file", "test file". */
  noun: string;
}

const botKind: JsonKind = { noun: 'bot file' };

export function parseBotJson(text: string, file: string, kind: JsonKind = botKind): ParsedJson {
  // A byte-order mark is not JSON, but editors add one, and do not count it as a column.
  const clean = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // Before the parser, which recurses once per level and would overflow the stack.
  const deep = findTooDeep(clean);
  if (deep) {
    const source = new BotSource(file, clean, undefined);
    const { line, column } = source.position(deep.offset);
    const message = `objects and lists are nested more than ${maxDepth} levels deep here, and a ${kind.noun} is never that deep: check that this is the ${kind.noun} you meant, and remove the extra levels`;
    return { source, problems: [{ severity: 'error', file, line, column, pointer: jsonPointer(deep.path), message, code: 'too-deep' }] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(clean, errors, strictJson);
  const source = new BotSource(file, clean, root);
  if (errors.length > 0 || !root) {
    // After the first error the parser guesses, and what it reports next is mostly noise.
    const first = firstSyntaxError(clean);
    return { source, problems: first ? [first.toProblem(source, kind)] : [] };
  }
  const problems = duplicateKeys(root, source);
  return problems.length > 0 ? { source, problems } : { source, value: getNodeValue(root), problems };
}

interface Container {
  kind: 'object' | 'array';
  offset: number;
}

interface FirstError {
  toProblem(source: BotSource, kind: JsonKind): Problem;
}

function firstSyntaxError(text: string): FirstError | undefined {
  const open: Container[] = [];
  let lastClosed: Container | undefined;
  let first: FirstError | undefined;
  visit(
    text,
    {
      onObjectBegin: (offset) => void open.push({ kind: 'object', offset }),
      onArrayBegin: (offset) => void open.push({ kind: 'array', offset }),
      onObjectEnd: () => void (lastClosed = open.pop()),
      onArrayEnd: () => void (lastClosed = open.pop()),
      onError: (error, offset, length) => {
        if (first) return;
        const context = { text, offset, length, inside: open.at(-1), closing: lastClosed };
        const code = printParseErrorCode(error);
        first = {
          toProblem: (source, kind) => {
            const { message, at = offset, about = at } = describe(code, context, source, kind);
            const path = getLocation(text, about).path;
            // The parser names a property it has not read yet ''; the object is what is meant.
            if (path.at(-1) === '') path.pop();
            const { line, column } = source.position(at);
            return { severity: 'error', file: source.file, line, column, pointer: jsonPointer(path), message, code: 'json-syntax' };
          },
        };
      },
    },
    strictJson,
  );
  return first;
}

interface ErrorContext {
  text: string;
  offset: number;
  length: number;
  /** The object or array the error is in. */
  inside: Container | undefined;
  /** The object or array closed last: the one a missing } or ] belongs to. */
  closing: Container | undefined;
}

const aValue = 'a string in double quotes, a number, true, false, null, an object {…} or a list […]';

/** `at`: where the problem is shown (default: where the parser stopped); `about`: the offset whose JSON path is its pointer (default `at`). */
function describe(code: ReturnType<typeof printParseErrorCode>, c: ErrorContext, source: BotSource, { noun }: JsonKind): { message: string; at?: number; about?: number } {
  const { text, offset, length } = c;
  const token = text.slice(offset, offset + length);
  const here = text[offset];
  const before = previousToken(text, offset);
  const atEnd = offset >= text.length;
  const opened = (container: Container | undefined): string => {
    if (!container) return '';
    const { line, column } = source.position(container.offset);
    return ` that starts at line ${line}, column ${column}`;
  };
  switch (code) {
    case 'InvalidSymbol':
      if (token.startsWith("'")) return { message: `JSON uses double quotes: write "${token.replace(/^'|'$/g, '')}" instead of ${token}` };
      if (c.inside?.kind === 'object' && (before?.char === '{' || before?.char === ','))
        return { message: `property names need double quotes: write "${token}"` };
      if (/^(true|false|null)$/i.test(token)) return { message: `write ${token.toLowerCase()} in lower case` };
      return { message: `unexpected ${token}: a value here is ${aValue}` };
    case 'InvalidNumberFormat':
      return { message: `${token} is not a number JSON accepts: write digits without a leading zero, e.g. 10, 0.5 or 1e3` };
    case 'PropertyNameExpected':
    case 'ValueExpected':
      if (atEnd && text.trim() === '') return { message: `the file is empty: a ${noun} is a JSON object, starting with {`, at: 0 };
      if (atEnd) return { message: `the file ends where a value should be: write ${aValue}` };
      if (before?.char === ',' && (here === '}' || here === ']'))
        return { message: `JSON allows no comma before ${here}: remove this comma`, at: before.offset };
      if (before?.char === ',' && here === ',') return { message: 'two commas in a row: remove one', at: offset };
      if (code === 'PropertyNameExpected') return { message: 'expected a property name in double quotes, e.g. "text"' };
      if (before?.char === ':') return { message: `expected a value after the colon: write ${aValue}` };
      return { message: `expected a value: write ${aValue}` };
    case 'ColonExpected':
      return { message: 'expected a colon after the property name: write "name": value' };
    case 'CommaExpected': {
      const closer = c.inside?.kind === 'array' ? ']' : '}';
      if (before && text[before.offset] === '0' && /[0-9]/.test(here ?? ''))
        return { message: 'a number cannot start with 0: remove the leading zero', at: before.offset };
      const where = before && source.position(before.offset).line < source.position(offset).line
        ? `at the end of line ${source.position(before.offset).line}`
        : 'before this';
      return { message: `expected a comma or ${closer}: add a comma ${where}` };
    }
    case 'CloseBraceExpected':
    case 'CloseBracketExpected': {
      const [closer, what] = code === 'CloseBraceExpected' ? ['}', 'object'] : [']', 'list'];
      const start = opened(c.closing ?? c.inside);
      return atEnd
        ? { message: `the file ends before the ${what}${start} is closed: add a ${closer}` }
        : { message: `expected ${closer} to close the ${what}${start}: add a ${closer} or a comma` };
    }
    case 'EndOfFileExpected':
      return { message: `unexpected ${token} after the end of the ${noun.split(' ')[0]}: a ${noun} holds one JSON object; remove what follows it (an extra } or ]?)` };
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return {
        message: `comments are not allowed: a ${noun} is plain JSON; remove the comment`,
        about: commentSubject(text, offset, length),
      };
    case 'UnexpectedEndOfString':
      return { message: 'this string is not closed: add the closing " (write a line break inside a string as \\n)' };
    case 'UnexpectedEndOfNumber':
      return { message: `${token} is not a complete number: write it in full, e.g. 1.5 or 1e3` };
    case 'InvalidUnicode':
      return { message: 'a \\u escape needs four hexadecimal digits, e.g. \\u00e9', at: indexIn(text, offset, length, /\\u/) };
    case 'InvalidEscapeCharacter':
      return {
        message: 'invalid escape: in JSON a backslash starts \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX; write \\\\ for a backslash',
        at: indexIn(text, offset, length, /\\[^"\\/bfnrtu]/),
      };
    case 'InvalidCharacter':
      return {
        message: 'a string cannot hold a tab or a line break as it is: write it as \\t or \\n',
        at: indexIn(text, offset, length, /[\u0000-\u001f]/),
      };
    default:
      return { message: `this is not valid JSON (${code}): check the JSON around here` };
  }
}

/**
 * The offset of what a comment is about: the key on its line when it trails one
 * (`"ttl": 3600, // seconds`), else the key or value after it (a comment on a line of its own).
 */
function commentSubject(text: string, offset: number, length: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const first = text.slice(lineStart, offset).search(/\S/);
  if (first >= 0) return lineStart + first + 1;
  const after = text.slice(offset + length).search(/[^\s,]/);
  return after < 0 ? offset : offset + length + after + 1;
}

/** The last non-whitespace character before `offset`. */
function previousToken(text: string, offset: number): { char: string; offset: number } | undefined {
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) {
    const char = text[i];
    if (char !== undefined && !/\s/.test(char)) return { char, offset: i };
  }
  return undefined;
}

// The parser reports the whole string; the author needs the character that is wrong in it.
function indexIn(text: string, offset: number, length: number, pattern: RegExp): number {
  const found = pattern.exec(text.slice(offset, offset + length));
  return found ? offset + found.index : offset;
}

function duplicateKeys(root: Node, source: BotSource): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: Node): void => {
    if (node.type === 'object') {
      const seen = new Map<string, Node>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0];
        if (!key || typeof key.value !== 'string') continue;
        const earlier = seen.get(key.value);
        if (earlier) {
          const { line } = source.position(earlier.offset);
          const { line: l, column } = source.position(key.offset);
          problems.push({
            severity: 'error',
            file: source.file,
            line: l,
            column,
            pointer: jsonPointer(getNodePath(property.children?.[1] ?? key)),
            message: `"${key.value}" is already a key of this object (line ${line}), and JSON would keep only the last one: rename one or merge them`,
            code: 'duplicate-key',
          });
        } else seen.set(key.value, key);
      }
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(root);
  return problems;
}
