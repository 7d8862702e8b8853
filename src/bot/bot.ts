// A loaded bot: the checked file plus the indexes the runtime needs, built once at load time
// so that no turn ever parses or searches the bot again.
import type { BotFile, Step } from './schema.js';

/** Where a conversation is: a script and the index of a step in it. */
export interface Position {
  script: string;
  step: number;
}

export interface Bot extends BotFile {
  /** The file it was loaded from (for messages to authors). */
  source: string;
  /**
   * A digest of the file's text, when loaded from one: sessions note the revision that wrote
   * them, so a conversation that outlives a reload finds its place in the new version.
   */
  revision?: string;
  /** `script#stepId` → position, for every step that has an id. */
  stepIndex: ReadonlyMap<string, Position>;
  /** Lower-cased, trimmed keyword → script id. */
  keywordIndex: ReadonlyMap<string, string>;
}

/**
 * Resolves a target written in `fromScript`: a step id of that script, `script-id`, or
 * `script-id#step-id`. A step id of the same script wins over a script of the same name.
 */
export function resolveTarget(bot: Pick<Bot, 'scripts' | 'stepIndex'>, fromScript: string, target: string): Position | undefined {
  const hash = target.indexOf('#');
  if (hash >= 0) return bot.stepIndex.get(target);
  const local = bot.stepIndex.get(`${fromScript}#${target}`);
  if (local) return local;
  if (Object.hasOwn(bot.scripts, target)) return { script: target, step: 0 };
  return undefined;
}

/** Builds the indexes of a bot file that already passed the schema. */
export function indexBot(file: BotFile, source: string): Bot {
  const stepIndex = new Map<string, Position>();
  for (const [script, { steps }] of Object.entries(file.scripts)) {
    steps.forEach((s, step) => {
      if (s.id !== undefined && !stepIndex.has(`${script}#${s.id}`)) stepIndex.set(`${script}#${s.id}`, { script, step });
    });
  }
  const keywordIndex = new Map<string, string>();
  for (const t of file.triggers) for (const k of t.keywords) keywordIndex.set(normalizeKeyword(k), t.script);
  return { ...file, source, stepIndex, keywordIndex };
}

export function normalizeKeyword(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

export function stepAt(bot: Pick<Bot, 'scripts'>, at: Position): Step | undefined {
  return bot.scripts[at.script]?.steps[at.step];
}
