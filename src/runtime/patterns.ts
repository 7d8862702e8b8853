// Authors' patterns (`pattern`, `matches`) run on RE2 (re2js, a JavaScript port), which matches
// in time linear in the answer: a pattern such as ^(a+)+$ cannot hold a turn, and the event
// loop with it, on a crafted answer. The loader checks every pattern with the same engine.
import { RE2JS } from 're2js';

export interface Pattern {
  /** True when the pattern matches somewhere in `text` (as RegExp.prototype.test). */
  test(text: string): boolean;
}

// Patterns come from the bot file, which was checked at load time; each is compiled once.
const compiled = new Map<string, Pattern>();

export function regex(source: string): Pattern {
  let pattern = compiled.get(source);
  if (pattern === undefined) {
    pattern = RE2JS.compile(source);
    compiled.set(source, pattern);
  }
  return pattern;
}

/** Why `source` cannot be used as a pattern, in RE2's words; undefined when it can. */
export function patternError(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
