// Templates are parsed once into parts; rendering only walks the parts. Rendering is a single
// pass: a value that itself looks like a template (`{secret.KEY}`) is inserted as it is,
// never expanded, so user input cannot reach secrets.
import type { JsonValue } from '../runtime/session.js';

/** Resolves a placeholder name; `undefined` means the name is unknown. */
export type Lookup = (name: string) => JsonValue | undefined;

export interface Placeholder {
  readonly name: string;
}

/** A literal run of text, or a placeholder to fill. Adjacent literals are merged. */
export type TemplatePart = string | Placeholder;

export interface CompiledTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** Placeholder names in order of first appearance, without repeats. */
  readonly names: readonly string[];
  /** The name when the whole template is exactly one placeholder (`"{count}"`), else undefined. */
  readonly single: string | undefined;
}

const NAME_CHAR = /[A-Za-z0-9_.-]/;
/**
 * `<authtoken>` (and `<authtoken.ID>`) is the seed product's spelling; no other name may be
 * written with angle brackets. The loader's scanner uses this too, so both agree.
 */
export const ANGLE_AUTHTOKEN = /^<(authtoken(?:\.[A-Za-z0-9_-]+)?)>/;

// Bots hold a bounded set of templates, but nothing stops a caller from compiling text that
// varies per conversation; the cap keeps that from growing memory without end.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, CompiledTemplate>();

/** The compiled form of `template`, parsed on first use and cached by its text. */
export function compileTemplate(template: string): CompiledTemplate {
  const cached = cache.get(template);
  if (cached !== undefined) return cached;
  const compiled = parse(template);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(template, compiled);
  return compiled;
}

/** The placeholder names a template uses, in order, each once. */
export function placeholders(template: string): string[] {
  return [...compileTemplate(template).names];
}

function parse(source: string): CompiledTemplate {
  const parts: TemplatePart[] = [];
  const names: string[] = [];
  let literal = '';
  const pushName = (name: string): void => {
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ name });
    if (!names.includes(name)) names.push(name);
  };

  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '{') {
      if (source[i + 1] === '{') {
        literal += '{';
        i += 2;
        continue;
      }
      const end = nameEnd(source, i + 1);
      if (end > i + 1 && source[end] === '}') {
        pushName(source.slice(i + 1, end));
        i = end + 1;
        continue;
      }
      // A lone brace that opens no placeholder is text, as an author would expect.
      literal += '{';
      i += 1;
    } else if (ch === '}') {
      literal += '}';
      i += source[i + 1] === '}' ? 2 : 1;
    } else if (ch === '<') {
      const match = ANGLE_AUTHTOKEN.exec(source.slice(i, i + 200));
      if (match?.[1] !== undefined) {
        pushName(match[1]);
        i += match[0].length;
        continue;
      }
      literal += '<';
      i += 1;
    } else {
      literal += ch;
      i += 1;
    }
  }
  if (literal !== '') parts.push(literal);

  const first = parts[0];
  const single = parts.length === 1 && typeof first === 'object' ? first.name : undefined;
  return { source, parts, names, single };
}

function nameEnd(source: string, from: number): number {
  let i = from;
  while (i < source.length && NAME_CHAR.test(source[i] ?? '')) i += 1;
  return i;
}
