// The bot file the studio shows, loaded again each time it is saved. A version that does not
// load is refused with its problems and the last good one stays: the conversation and the
// graph go on with it while the author fixes the file.
//
// The folder is watched, not the file: editors save by writing a new file and renaming it over
// the old one (a new inode), which a watch on the file itself stops seeing. The same idea as
// the server's bot registry on the `production` branch (src/bot/bot-registry.ts there), kept
// minimal here: one file, no ids or claims across bots.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Bot } from '../bot/bot.js';
import type { BotSource } from '../bot/bot-source.js';
import { parseBotJson } from '../bot/json-syntax.js';
import { loadBotText, readFailure } from '../bot/load.js';
import type { Problem } from '../bot/problems.js';

/** A version of the bot that loaded. */
export interface GoodVersion {
  bot: Bot;
  /** Its text and syntax tree: where each step is written. */
  source: BotSource;
  /** Counts the good versions loaded, from 1: the page asks for the graph of a version. */
  version: number;
}

/** What the last read of the file said. */
export interface FileState {
  /** The last good version, if the file ever loaded. */
  good: GoodVersion | undefined;
  /** The problems of the last read: the good version's warnings, or why the file was refused. */
  problems: Problem[];
  /** The text last read (good or not), for the page's view of the file. */
  text: string;
}

export type Change =
  | { kind: 'reloaded'; previous: GoodVersion | undefined; state: FileState }
  | { kind: 'refused'; state: FileState };

export class BotFile {
  readonly path: string;
  #state: FileState = { good: undefined, problems: [], text: '' };
  #lastRead: string | undefined;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<(change: Change) => void | Promise<void>>();

  /** `path` as the author named it: problems and links name it so. */
  constructor(path: string) {
    this.path = path;
  }

  get state(): FileState {
    return this.#state;
  }

  /**
   * Told each change that loads or is refused; a save that changes nothing tells nothing. A load
   * ends once its listeners have dealt with it, so changes reach them one after the other.
   */
  onChange(listener: (change: Change) => void | Promise<void>): void {
    this.#listeners.add(listener);
  }

  /** Reads the file again; undefined when its text did not change. */
  load(): Promise<Change | undefined> {
    const run = this.#queue.then(() => this.#load());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<Change | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      // Between an editor's delete and its rename the file is briefly not there: the next event reads it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && this.#state.good !== undefined) return undefined;
      const problem: Problem = { severity: 'error', file: this.path, line: 1, column: 1, pointer: '', message: readFailure(error), code: 'read-error' };
      return this.#tell({ kind: 'refused', state: { ...this.#state, problems: [problem] } });
    }
    if (text === this.#lastRead) return undefined;
    this.#lastRead = text;
    const { bot, problems } = loadBotText(text, this.path);
    if (bot === undefined) return this.#tell({ kind: 'refused', state: { good: this.#state.good, problems, text } });
    const parsed = parseBotJson(text, this.path);
    const previous = this.#state.good;
    const good: GoodVersion = { bot, source: parsed.source, version: (previous?.version ?? 0) + 1 };
    return this.#tell({ kind: 'reloaded', previous, state: { good, problems, text } });
  }

  async #tell(change: Change): Promise<Change> {
    this.#state = change.state;
    await Promise.all([...this.#listeners].map((listener) => listener(change)));
    return change;
  }

  /** Loads again whenever the file is saved, until `close()`. */
  watch(settleMs = 80): void {
    if (this.#watcher !== undefined) return;
    const name = basename(this.path);
    this.#watcher = watch(dirname(resolve(this.path)), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      // Editors write in steps (truncate, write, rename): read once they have settled.
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.load(), settleMs);
    });
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
