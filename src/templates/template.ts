// Templates are parsed once into parts; rendering only walks the parts. Rendering is a single
// pass: a value that itself looks like a template (`{secret.KEY}`) is inserted as it is,
// never expanded, so user input cannot reach secrets.
import type { JsonValue } from '../json.js';
import { tokenize, tokenText } from './tokens.js';

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
  for (const token of tokenize(source)) {
    if (token.kind !== 'placeholder') {
      // A malformed or unclosed brace renders as the text it is, as an author would expect.
      literal += tokenText(source, token);
      continue;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ name: token.name });
    if (!names.includes(token.name)) names.push(token.name);
  }
  if (literal !== '') parts.push(literal);

  const first = parts[0];
  const single = parts.length === 1 && typeof first === 'object' ? first.name : undefined;
  return { source, parts, names, single };
}
