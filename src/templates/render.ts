// How a value is inserted depends on where it lands: plain text, a URL, a header. The JSON body
// context builds a value instead of text and lives in json-body.ts.
import type { JsonValue } from '../json.js';
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
 * a query parameter or a host). Throws a `TemplateError` ('template-url') when a placeholder
 * stands before the end of the address (see `placeholderInAddress`), when a value in the path
 * would make a segment "." or ".." or holds "/" or "\" (see `climbingSegment`), or when the
 * result is not an absolute http(s) URL.
 */
export function renderUrl(template: string, lookup: Lookup, onMissing?: OnMissing): string {
  const compiled = compileTemplate(template);
  const address = addressOf(compiled);
  if (address.placeholder !== undefined) {
    throw new TemplateError('template-url', `the URL template ${describe(compiled)} has {${address.placeholder}} in its scheme, user, host or port, where only literal text may stand`);
  }
  const missing = onceEach(onMissing);
  const inserted: Inserted[] = [];
  let url = '';
  for (const part of compiled.parts) {
    if (typeof part === 'string') {
      url += part;
      continue;
    }
    const value = lookup(part.name);
    if (value === undefined) missing?.(part.name);
    const text = valueAsText(value);
    let encoded: string;
    try {
      encoded = encodeURIComponent(text);
    } catch {
      // encodeURIComponent throws on a lone surrogate; the value is not valid text.
      throw new TemplateError('template-url', `the value of {${part.name}} is not valid text and cannot go in a URL`);
    }
    inserted.push({ name: part.name, text, start: url.length, end: url.length + encoded.length });
    url += encoded;
  }
  const climbing = address.pathStart === undefined ? undefined : climbingSegment(url, address.pathStart, inserted);
  if (climbing !== undefined) {
    throw new TemplateError(
      'template-url',
      `the value of {${climbing}} cannot go in a path segment of the URL template ${describe(compiled)}: there a value may not make the segment "." or "..", nor hold "/" or "\\"`,
    );
  }
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
 * The first placeholder of a URL template that stands in its scheme, user, password, host or
 * port, or undefined when all of that is literal text. An answer put there could choose which
 * server is called (`http://{host}/`), so the loader refuses such a template and `renderUrl`
 * never fills one.
 */
export function placeholderInAddress(template: string): string | undefined {
  return addressOf(compileTemplate(template)).placeholder;
}

interface Inserted {
  name: string;
  /** The value as text, before encoding. */
  text: string;
  /** Where its encoded form stands in the URL. */
  start: number;
  end: number;
}

/**
 * The literal text before the first placeholder must hold the whole address, up to the `/`,
 * `\`, `?` or `#` that ends it, read as the WHATWG URL parser reads an http(s) URL: leading
 * spaces and control characters dropped, tabs and line breaks ignored anywhere, any number of
 * slashes after the scheme. `pathStart` is where the path begins, when it is the path (and not
 * the query or fragment) that follows the address. The lookahead keeps every slash after the
 * scheme out of the host, so "http://{host}" cannot pass as an address ended by its second "/".
 */
const literalAddress = /^[\u0000-\u0020]*[A-Za-z](?:[\t\n\r]*[A-Za-z0-9+.-])*[\t\n\r]*:[\t\n\r/\\]*(?![\t\n\r/\\])[^/\\?#]*[/\\?#]/;

function addressOf(compiled: CompiledTemplate): { placeholder?: string; pathStart?: number } {
  const [head, ...rest] = compiled.parts;
  const first = typeof head === 'string' ? rest[0] : head;
  if (first === undefined || typeof first === 'string') return {};
  const literal = typeof head === 'string' ? head : '';
  const match = literalAddress.exec(literal);
  if (!match) return { placeholder: first.name };
  const end = match[0].length - 1;
  return literal[end] === '/' || literal[end] === '\\' ? { pathStart: end } : {};
}

/**
 * The name of a value that would let the URL climb out of the path the author wrote: one that
 * holds "/" or "\" (servers may decode %2F), or makes its segment "." or ".." once decoded as
 * often as a server might (%2e, %252e). Such a segment moves the request to another resource
 * (`/accounts/../admin`).
 */
function climbingSegment(url: string, pathStart: number, inserted: readonly Inserted[]): string | undefined {
  const queryOrFragment = url.slice(pathStart).search(/[?#]/);
  const pathEnd = queryOrFragment < 0 ? url.length : pathStart + queryOrFragment;
  for (const value of inserted) {
    if (value.start >= pathEnd) break;
    if (decodings(value.text).some((text) => /[/\\]/.test(text))) return value.name;
    const before = url.slice(pathStart, value.start);
    const segmentStart = pathStart + Math.max(before.lastIndexOf('/'), before.lastIndexOf('\\')) + 1;
    const after = url.slice(value.end, pathEnd).search(/[/\\]/);
    const segmentEnd = after < 0 ? pathEnd : value.end + after;
    const segment = url.slice(segmentStart, segmentEnd).replace(/[\t\n\r]/g, '');
    if (decodings(segment).some(isDotSegment)) return value.name;
  }
  return undefined;
}

/**
 * "." or "..", also as servers read a segment leniently: Tomcat and Spring drop a `;param`
 * suffix (`..;x`), and some servers trim spaces and control characters (`.. `, `..%00`).
 */
function isDotSegment(text: string): boolean {
  const core = (text.split(';')[0] ?? '').replace(/^[\s\u0000-\u001f\u007f]+|[\s\u0000-\u001f\u007f]+$/g, '');
  return core === '.' || core === '..';
}

/** `text` and what it becomes when percent-decoded again and again, up to a few times. */
function decodings(text: string): string[] {
  const all = [text];
  let current = text;
  for (let round = 0; round < 4; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      break;
    }
    if (next === current) break;
    all.push(next);
    current = next;
  }
  return all;
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
