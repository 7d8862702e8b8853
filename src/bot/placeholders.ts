// Finding the placeholders of a template, for load-time checks. Rendering is the business of
// src/templates/; this scanner only has to agree with it on what counts as a placeholder:
// `{name}` is one, `{{` and `}}` are literal braces, `<authtoken>` (or `<authtoken.ID>`) is
// `{authtoken}` spelled the way the product this engine replaces spelled it. A `}` on its own
// is literal text.
import { ANGLE_AUTHTOKEN } from '../templates/template.js';

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
    } else if (c === '<') {
      const angle = ANGLE_AUTHTOKEN.exec(template.slice(i, i + 200));
      if (angle?.[1] !== undefined) {
        placeholders.push({ name: angle[1], start: i, end: i + angle[0].length });
        i += angle[0].length;
      } else i += 1;
    } else i += 1;
  }
  return { placeholders, unclosed };
}
