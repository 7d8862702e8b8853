// What the loader tells a bot's author: one Problem per mistake, with where it is and what to do.

export type Severity = 'error' | 'warning';

/**
 * Stable codes, so tools and tests can tell problems apart without parsing messages.
 * Errors keep a bot from loading; warnings do not.
 */
export type ProblemCode =
  | 'read-error'
  | 'json-syntax'
  | 'too-deep'
  | 'duplicate-key'
  | 'schema'
  | 'unknown-start'
  | 'unknown-script'
  | 'unknown-target'
  | 'unknown-token'
  | 'duplicate-id'
  | 'duplicate-keyword'
  | 'missing-token-path'
  | 'choice-without-options'
  | 'options-without-choice'
  | 'bad-pattern'
  | 'bad-path'
  | 'missing-value'
  | 'template-syntax'
  | 'placeholder-in-address'
  | 'bad-url'
  | 'unknown-placeholder'
  | 'secret-in-text'
  | 'unknown-variable'
  | 'secret-not-marked'
  | 'unreachable-step'
  | 'unreachable-script'
  | 'endless-loop'
  | 'no-mail-server'
  | 'untranslated-phrases'
  | 'not-a-language'
  // Several bots of one server (BOT_DIR), and reloads.
  | 'duplicate-bot'
  | 'claimed-twice'
  | 'bot-id-changed';

export interface Problem {
  severity: Severity;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
  /** JSON pointer (RFC 6901) to the value concerned; '' is the whole file. */
  pointer: string;
  /** What is wrong and what to do about it. */
  message: string;
  code: ProblemCode;
}

/** `FILE:LINE:COL: message (JSON pointer)`, with `warning: ` before the message of a warning. */
export function formatProblem(p: Problem): string {
  const prefix = p.severity === 'warning' ? 'warning: ' : '';
  return `${oneLine(p.file)}:${p.line}:${p.column}: ${prefix}${oneLine(p.message)} (${oneLine(p.pointer)})`;
}

/**
 * One problem is one line, whatever a key or id holds: control characters and line separators
 * are written as escapes (`\n`, `\u0007`), as in JSON, so a tool reading lines reads one each.
 */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Orders problems as an author reads the file: by line, then column; errors first on ties. */
export function byPosition(a: Problem, b: Problem): number {
  return a.line - b.line || a.column - b.column || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1);
}
