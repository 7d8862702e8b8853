// The bots a process serves, each loaded from its file and reloaded when the file changes
// (a file watch, or `reload()` on SIGHUP). A file that does not load is refused with its
// problems and the last good version keeps serving. Used by `serve` (BOT_FILE or every bot of
// BOT_DIR) and meant for the studio, which shows the problems of the file being edited.
//
// Across the bots of one registry: ids are unique (they name routes and keys), and each
// number, page or app id of `answersFor` is claimed by one bot at most. A reload that would
// break either, or change a bot's id, is refused like a file with errors.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Bot } from './bot.js';
import { botPaths } from './bot-paths.js';
import type { BotSource } from './bot-source.js';
import { loadBotText, revisionOf } from './load.js';
import { hasErrors, type Problem } from './problems.js';
import type { AnswersFor } from './schema.js';

/** One bot of the registry: the version serving now, and what its file's last load said. */
export interface LoadedBot {
  readonly file: string;
  /** The last good version: what conversations run on. */
  readonly bot: Bot;
  /** Of the last load of the file: the serving version's warnings, or why a newer file was refused. */
  readonly problems: readonly Problem[];
}

export type ReloadOutcome =
  | { kind: 'added'; file: string; bot: Bot; problems: Problem[] }
  | { kind: 'reloaded'; file: string; bot: Bot; previous: Bot; problems: Problem[] }
  | { kind: 'unchanged'; file: string }
  /** The file does not load (or clashes with another bot): `serving` is the version kept, if any. */
  | { kind: 'refused'; file: string; problems: Problem[]; serving?: Bot };

export type Claim = keyof AnswersFor;
const claimKinds: readonly Claim[] = ['numbers', 'pages', 'whatsappNumberIds', 'appIds'];

export interface RegistryOptions {
  /** Bot files, or folders whose every bot file is served (BOT_DIR); a folder is read again on reload. */
  paths: readonly string[];
  /** How long a burst of file events is let settle before the files are read (editors write in steps). */
  settleMs?: number;
  /** Whether Parley can mail email sign-in links itself (SMTP_URL): see LoadOptions. */
  canMail?: boolean;
}

interface Entry {
  file: string;
  bot: Bot;
  problems: Problem[];
  /** The revision of the file's text as last read, good or not: an unchanged file is not loaded again. */
  lastRead: string;
}

export class BotRegistry {
  readonly #paths: string[];
  readonly #settleMs: number;
  readonly #canMail: boolean | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(outcome: ReloadOutcome) => void>();
  readonly #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Reloads run one after the other: a watch event during a SIGHUP reload waits for it. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: RegistryOptions) {
    this.#paths = options.paths.map((path) => resolve(path));
    this.#settleMs = options.settleMs ?? 150;
    this.#canMail = options.canMail;
  }

  /** Loads every bot; the outcomes say which were refused (a server refuses to start then). */
  static async open(options: RegistryOptions): Promise<{ registry: BotRegistry; outcomes: ReloadOutcome[] }> {
    const registry = new BotRegistry(options);
    const outcomes = await registry.reload();
    return { registry, outcomes };
  }

  /** The bot loaded from `file` (a path as given, or resolved). */
  forFile(file: string): LoadedBot | undefined {
    return this.#entries.get(resolve(file));
  }

  /** The bots serving now, in file order. */
  list(): LoadedBot[] {
    return [...this.#entries.values()];
  }

  get(id: string): LoadedBot | undefined {
    for (const entry of this.#entries.values()) if (entry.bot.id === id) return entry;
    return undefined;
  }

  /** The bot whose `answersFor` names `value` (a number without `whatsapp:`, a page id, …). */
  answering(claim: Claim, value: string): LoadedBot | undefined {
    for (const entry of this.#entries.values()) if (entry.bot.answersFor?.[claim]?.includes(value) === true) return entry;
    return undefined;
  }

  /** Told every outcome of a reload but `unchanged` (and of the first load). */
  onReload(listener: (outcome: ReloadOutcome) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads every file again (a folder's new files too); the outcomes of the files that changed. */
  reload(): Promise<ReloadOutcome[]> {
    const run = this.#queue.then(() => this.#reloadAll());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Reloads on file changes until `close()`. */
  watch(): void {
    if (this.#watchers.length > 0) return;
    // The folders, not the files: editors and config mounts replace a file (a new inode)
    // rather than write into it, which a watch on the file itself stops seeing.
    const folders = new Set<string>();
    for (const path of this.#paths) folders.add(isFolder(path) ? path : dirname(path));
    for (const folder of folders) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          if (name !== null && !/\.jsonc?$/.test(name) && !name.startsWith('..')) return;
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => void this.reload(), this.#settleMs);
        });
        watcher.on('error', () => undefined);
        this.#watchers.push(watcher);
      } catch {
        // A folder that cannot be watched still reloads on SIGHUP.
      }
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.splice(0)) watcher.close();
  }

  async #reloadAll(): Promise<ReloadOutcome[]> {
    const files: string[] = [];
    for (const path of this.#paths) {
      const found = await botPaths([path]);
      for (const { path: file, skip } of found) if (skip === undefined) files.push(resolve(file));
    }
    // A file gone from its folder (or unreadable) reads as a refusal: its bot keeps serving.
    for (const file of this.#entries.keys()) if (!files.includes(file)) files.push(file);
    const outcomes: ReloadOutcome[] = [];
    for (const file of files) {
      const outcome = await this.#reloadFile(file);
      if (outcome.kind !== 'unchanged') {
        outcomes.push(outcome);
        for (const listener of this.#listeners) listener(outcome);
      }
    }
    return outcomes;
  }

  async #reloadFile(file: string): Promise<ReloadOutcome> {
    const entry = this.#entries.get(file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const problem: Problem = { severity: 'error', file, line: 1, column: 1, pointer: '', message: `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): the last good version keeps serving`, code: 'read-error' };
      return this.#refuse(file, entry, [problem], undefined);
    }
    const revision = revisionOf(text);
    if (entry !== undefined && entry.lastRead === revision) return { kind: 'unchanged', file };
    const loaded = loadBotText(text, file, this.#canMail === undefined ? {} : { canMail: this.#canMail });
    if (loaded.bot === undefined) return this.#refuse(file, entry, loaded.problems, revision);
    const clashes = loaded.source === undefined ? [] : this.#clashes(loaded.bot, entry, loaded.source);
    if (hasErrors(clashes)) return this.#refuse(file, entry, [...clashes, ...loaded.problems], revision);
    const previous = entry?.bot as Bot;

    // The entry is updated in place: whoever holds it (an engine's `current`) sees the new version.
    if (entry === undefined) this.#entries.set(file, { file, bot: loaded.bot, problems: loaded.problems, lastRead: revision });
    else Object.assign(entry, { bot: loaded.bot, problems: loaded.problems, lastRead: revision });
    return entry === undefined ? { kind: 'added', file, bot: loaded.bot, problems: loaded.problems } : { kind: 'reloaded', file, bot: loaded.bot, previous, problems: loaded.problems };
  }

  #refuse(file: string, entry: Entry | undefined, problems: Problem[], revision: string | undefined): ReloadOutcome {
    if (entry !== undefined) {
      entry.problems = problems;
      // The same broken text is not refused (and logged) again on every event.
      if (revision !== undefined) entry.lastRead = revision;
      return { kind: 'refused', file, problems, serving: entry.bot };
    }
    return { kind: 'refused', file, problems };
  }

  /** What keeps `bot` (from `file`, replacing `entry`) from serving beside the others. */
  #clashes(bot: Bot, entry: Entry | undefined, source: BotSource): Problem[] {
    const problems: Problem[] = [];
    if (entry !== undefined && entry.bot.id !== bot.id) {
      problems.push(source.error('bot-id-changed', ['id'], `the bot's id changed from "${entry.bot.id}" to "${bot.id}" while it was served: its routes and conversations are under the old id. Put the old id back, or restart the server to serve the new one`));
    }
    for (const other of this.#entries.values()) {
      if (other === entry) continue;
      if (other.bot.id === bot.id) {
        problems.push(source.error('duplicate-bot', ['id'], `another bot of this server has the id "${bot.id}" (${basename(other.file)}): give each bot its own id`));
      }
      for (const claim of claimKinds) {
        (bot.answersFor?.[claim] ?? []).forEach((value, index) => {
          if (other.bot.answersFor?.[claim]?.includes(value) === true) {
            problems.push(source.error('claimed-twice', ['answersFor', claim, index], `"${value}" is already answered for by bot "${other.bot.id}" (${basename(other.file)}): one bot per number, page or app id`));
          }
        });
      }
    }
    return problems;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
