// The placeholders of a template with their positions, for load-time checks, read with the
// renderer's own tokenizer (src/templates/tokens.ts), so both agree on what a placeholder is.
import { tokenize } from '../templates/tokens.js';

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
  for (const token of tokenize(template)) {
    if (token.kind === 'placeholder') placeholders.push({ name: token.name, start: token.start, end: token.end });
    // Braces that hold no name are reported by the checks with what is inside, as written.
    else if (token.kind === 'malformed') placeholders.push({ name: token.written, start: token.start, end: token.end });
    else if (token.kind === 'unclosed') unclosed.push(token.start);
  }
  return { placeholders, unclosed };
}
