// The one grammar of templates, with positions: the renderer and the loader's checks both read
// templates through `tokenize`, so what the loader calls a placeholder is what gets filled.
//
// `{name}` is a placeholder (letters, digits, `_`, `.`, `-`); `{{` and `}}` are literal braces;
// `<authtoken>` and `<authtoken.ID>` are `{authtoken}` as the product this engine replaces
// spelled it. A `{` whose braces hold something else (`{ name }`, `{}`) is `malformed`, and one
// that nothing closes (or that another `{` follows first) is `unclosed`: both render as the
// text they are, and the loader reports them. A `}` on its own is text.

export type TemplateToken =
  | { kind: 'text'; text: string; start: number; end: number }
  | { kind: 'placeholder'; name: string; start: number; end: number }
  | { kind: 'malformed'; written: string; start: number; end: number }
  | { kind: 'unclosed'; start: number; end: number };

const NAME = /^[A-Za-z0-9_.-]+$/;
/** The seed product's spelling; no other name may be written with angle brackets. */
const ANGLE_AUTHTOKEN = /^<(authtoken(?:\.[A-Za-z0-9_-]+)?)>/;
// An angle placeholder is short; looking further than this would scan long texts for nothing.
const ANGLE_LOOKAHEAD = 200;

export function tokenize(source: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  let text = '';
  let textStart = 0;
  const flush = (at: number) => {
    if (text !== '') tokens.push({ kind: 'text', text, start: textStart, end: at });
    text = '';
  };
  const literal = (chars: string, at: number) => {
    if (text === '') textStart = at;
    text += chars;
  };

  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '{' && source[i + 1] === '{') {
      literal('{', i);
      i += 2;
    } else if (c === '}') {
      literal('}', i);
      i += source[i + 1] === '}' ? 2 : 1;
    } else if (c === '{') {
      const close = source.indexOf('}', i + 1);
      const reopen = source.indexOf('{', i + 1);
      flush(i);
      if (close < 0 || (reopen >= 0 && reopen < close)) {
        // `{a {b}`: the first brace is the mistake; `{b}` may well be meant.
        tokens.push({ kind: 'unclosed', start: i, end: i + 1 });
        i += 1;
      } else {
        const inner = source.slice(i + 1, close);
        tokens.push(NAME.test(inner) ? { kind: 'placeholder', name: inner, start: i, end: close + 1 } : { kind: 'malformed', written: inner, start: i, end: close + 1 });
        i = close + 1;
      }
    } else if (c === '<') {
      const angle = ANGLE_AUTHTOKEN.exec(source.slice(i, i + ANGLE_LOOKAHEAD));
      if (angle?.[1] !== undefined) {
        flush(i);
        tokens.push({ kind: 'placeholder', name: angle[1], start: i, end: i + angle[0].length });
        i += angle[0].length;
      } else {
        literal('<', i);
        i += 1;
      }
    } else {
      literal(c ?? '', i);
      i += 1;
    }
  }
  flush(source.length);
  return tokens;
}

/** How a token reads when rendered: malformed and unclosed braces are the text they are. */
export function tokenText(source: string, token: Exclude<TemplateToken, { kind: 'placeholder' }>): string {
  return token.kind === 'text' ? token.text : source.slice(token.start, token.end);
}
