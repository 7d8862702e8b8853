// How a value is inserted depends on where it lands: plain text, a URL, a header. The JSON body
// context builds a value instead of text and lives in json-body.ts.
import type { JsonValue } from '../runtime/session.js';
import { compileTemplate, type CompiledTemplate, type Lookup } from './template.js';
import { TemplateError } from './template-error.js';

export type OnMissing = (name: string) => void;

/** A value as text: strings as they are, objects and arrays as JSON, null and unknown as ''. */
export function valueAsText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Text with every placeholder replaced; `onMissing` hears each unknown name once per call. */
export function renderText(template: string, lookup: Lookup, onMissing?: OnMissing): string {
  return fillTemplate(compileTemplate(template), lookup, onceEach(onMissing), asIs);
}

/**
 * A URL with every inserted value percent-encoded (a value can never add a path segment,
 * a query parameter or a host), so a base URL cannot come from a variable: the scheme and
 * host are written in the template. Throws a `TemplateError` ('template-url') when the result
 * is not an absolute http(s) URL.
 */
export function renderUrl(template: string, lookup: Lookup, onMissing?: OnMissing): string {
  const compiled = compileTemplate(template);
  const url = fillTemplate(compiled, lookup, onceEach(onMissing), (text, name) => {
    try {
      return encodeURIComponent(text);
    } catch {
      // encodeURIComponent throws on a lone surrogate; the value is not valid text.
      throw new TemplateError('template-url', `the value of {${name}} is not valid text and cannot go in a URL`);
    }
  });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TemplateError('template-url', `the URL template ${describe(compiled)} does not give a valid absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TemplateError('template-url', `the URL template ${describe(compiled)} does not give an http or https URL`);
  }
  return url;
}

/**
 * A header value. Throws a `TemplateError` ('template-header') when a value holds a control
 * character (CR and LF would split the header) or a character HTTP headers cannot carry.
 */
export function renderHeader(template: string, lookup: Lookup, onMissing?: OnMissing): string {
  const compiled = compileTemplate(template);
  for (const part of compiled.parts) {
    if (typeof part === 'string' && !isHeaderSafe(part)) {
      throw new TemplateError('template-header', `the header template ${describe(compiled)} holds a control character`);
    }
  }
  return fillTemplate(compiled, lookup, onceEach(onMissing), (text, name) => {
    if (!isHeaderSafe(text)) {
      throw new TemplateError(
        'template-header',
        `the value of {${name}} in the header template ${describe(compiled)} holds a line break, a control character or a character a header cannot carry`,
      );
    }
    return text;
  });
}

/**
 * Concatenates the parts, passing each value's text through `insert`. `onMissing` hears every
 * unknown occurrence; wrap it with `onceEach` to hear each name once.
 */
export function fillTemplate(
  compiled: CompiledTemplate,
  lookup: Lookup,
  onMissing: OnMissing | undefined,
  insert: (text: string, name: string) => string,
): string {
  let out = '';
  for (const part of compiled.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = lookup(part.name);
    if (value === undefined) onMissing?.(part.name);
    out += insert(valueAsText(value), part.name);
  }
  return out;
}

/** `onMissing` called at most once per name: one warning per unknown name, not per use. */
export function onceEach(onMissing: OnMissing | undefined): OnMissing | undefined {
  if (onMissing === undefined) return undefined;
  const seen = new Set<string>();
  return (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    onMissing(name);
  };
}

const asIs = (text: string): string => text;

// Tab and the visible Latin-1 range, as HTTP field values allow; the rest is refused rather
// than left for the HTTP client to fail on with a less helpful error.
function isHeaderSafe(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || code === 0x7f || code > 0xff) return false;
  }
  return true;
}

// Templates are the author's text and carry no values; a long one is cut to keep logs readable.
function describe(compiled: CompiledTemplate): string {
  const text = compiled.source.length > 120 ? `${compiled.source.slice(0, 117)}...` : compiled.source;
  return JSON.stringify(text);
}
