// What `validate` checks and `serve` serves under BOT_DIR: the files named, and every .json
// file of a folder named, except a JSON Schema (the editor's copy sits among the bots, and is
// no bot).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type BotPath = { path: string; skip?: undefined } | { path: string; skip: string };

export async function botPaths(paths: readonly string[]): Promise<BotPath[]> {
  const found: BotPath[] = [];
  for (const path of paths) {
    const isFolder = await stat(path).then(
      (info) => info.isDirectory(),
      () => false,
    );
    const files = isFolder ? (await readdir(path)).filter((name) => name.endsWith('.json') || name.endsWith('.jsonc')).sort().map((name) => join(path, name)) : [path];
    for (const file of files) found.push((await isJsonSchema(file)) ? { path: file, skip: 'a JSON Schema, not a bot: skipped' } : { path: file });
  }
  return found;
}

/** A file whose "$schema" names json-schema.org is a schema; the loader reports anything else. */
async function isJsonSchema(file: string): Promise<boolean> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof value === 'object' && value !== null && /json-schema\.org/.test(String((value as { $schema?: unknown }).$schema ?? ''));
  } catch {
    return false;
  }
}
