// Finding the placeholders of a template, for load-time checks. Rendering is the business of
// src/templates/; this scanner only has to agree with it on what counts as a placeholder:
// `{name}` is one, `{{` and `}}` are literal braces, `<authtoken>` is `{authtoken}` spelled
// the way the product this engine replaces spelled it. A `}` on its own is literal text.

export interface Placeholder {
  /** What is between the braces, exactly as written. */
  name: string;
  /** Index of the opening `{` (or `<`) in the template. */
  start: number;
  /** Index just past the closing `}` (or `>`). */
  end: number;
}

export interface TemplateScan {
  placeholders: Placeholder[];
  /** Indexes of `{` that no `}` closes. */
  unclosed: number[];
}

const angleAuthToken = '<authtoken>';

export function scanTemplate(template: string): TemplateScan {
  const placeholders: Placeholder[] = [];
  const unclosed: number[] = [];
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '{' && template[i + 1] === '{') i += 2;
    else if (c === '}' && template[i + 1] === '}') i += 2;
    else if (c === '{') {
      const close = template.indexOf('}', i + 1);
      const reopen = template.indexOf('{', i + 1);
      if (close < 0 || (reopen >= 0 && reopen < close)) {
        // `{a {b}`: the first brace is the mistake; `{b}` may well be meant.
        unclosed.push(i);
        i += 1;
      } else {
        placeholders.push({ name: template.slice(i + 1, close), start: i, end: close + 1 });
        i = close + 1;
      }
    } else if (c === '<' && template.startsWith(angleAuthToken, i)) {
      placeholders.push({ name: 'authtoken', start: i, end: i + angleAuthToken.length });
      i += angleAuthToken.length;
    } else i += 1;
  }
  return { placeholders, unclosed };
}

/** The names a template refers to, each once, in the order they first appear. */
export function placeholderNames(template: string): string[] {
  return [...new Set(scanTemplate(template).placeholders.map((p) => p.name))];
}
