// Loading a bot file: JSON with positions, then the schema, then the checks that need the
// whole bot. Every mistake comes back as a Problem; a bot comes back only when none is an error.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { indexBot } from './bot.js';
import type { Bot } from './bot.js';
import { checkGraph } from './checks/graph.js';
import { parseBotJson } from './json-syntax.js';
import { checkPhrases } from './checks/phrases.js';
import { checkPlaceholders } from './checks/placeholders.js';
import { byPosition, hasErrors } from './problems.js';
import type { Problem } from './problems.js';
import type { BotSource } from './bot-source.js';
import { checkReferences } from './checks/references.js';
import { schemaProblems } from './schema-problems.js';
import { botFile } from './schema.js';
import { checkStepRules } from './checks/steps.js';
import { checkUrls } from './checks/urls.js';
import { checkMail } from './checks/mail.js';

export interface LoadResult {
  /** Set only when no problem is an error. */
  bot?: Bot;
  /** Errors and warnings, in the order they appear in the file. */
  problems: Problem[];
  /** The file's text and syntax tree, when it parsed: where further problems point (bot-registry.ts). */
  source?: BotSource;
}

/** What the loader is told of where the bot will run. */
export interface LoadOptions {
  /**
   * Whether Parley can mail email sign-in links itself: true with SMTP_URL (or in the console,
   * which prints the mail), false without, where an email definition without "sendUrl" is an
   * error. Unknown (`validate`): a warning.
   */
  canMail?: boolean;
}

/** Checks a bot's JSON text; `file` is how problems name it. */
export function loadBotText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const parsed = parseBotJson(text, file);
  if (!('value' in parsed)) return { problems: parsed.problems };
  // A bot file is checked once: compiling zod's fast path for each object shape (`new
  // Function`, then optimizing it) costs more than the one pass it would speed up.
  const checked = botFile.safeParse(parsed.value, { jitless: true });
  if (!checked.success) return { problems: schemaProblems(checked.error.issues, parsed.value, parsed.source).sort(byPosition), source: parsed.source };
  const bot = indexBot(checked.data, file);
  const problems = [
    ...checkReferences(bot, parsed.source),
    ...checkStepRules(bot, parsed.source),
    ...checkPlaceholders(bot, parsed.source),
    ...checkUrls(bot, parsed.source),
    ...checkGraph(bot, parsed.source),
    ...checkMail(bot, parsed.source, options.canMail),
    ...checkPhrases(bot, parsed.source),
  ].sort(byPosition);
  if (hasErrors(problems)) return { problems, source: parsed.source };
  bot.revision = revisionOf(text);
  return { bot, problems, source: parsed.source };
}

/** A short digest of a bot file's text: the same text, the same revision. */
export function revisionOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}

export async function loadBotFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { problems: [{ severity: 'error', file: path, line: 1, column: 1, pointer: '', message: readFailure(error), code: 'read-error' }] };
  }
  return loadBotText(text, path, options);
}

/** Why a bot file could not be read, in words an author can act on. */
export function readFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'there is no such file: check the path';
    case 'EISDIR':
      return 'this is a folder: name a bot file (a .json file) instead';
    case 'EACCES':
    case 'EPERM':
      return 'the file cannot be read (permission denied): make it readable';
    default:
      return `the file cannot be read (${error instanceof Error ? error.message : String(error)}): check the path`;
  }
}
