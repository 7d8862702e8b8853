// What `parley test FILE|DIR…` runs: the files named, and every `*.test.json` under a folder
// named (default: the current one). Bots found in those folders count for coverage even when
// no test uses them: a bot without tests is the largest gap there is.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../bot/problems.js';

export interface Found {
  testFiles: string[];
  /** JSON files under the folders that look like bots (format and scripts), for coverage. */
  bots: string[];
  problems: Problem[];
}

const skipped = new Set(['node_modules', '.git']);

export async function findTests(paths: readonly string[]): Promise<Found> {
  const found: Found = { testFiles: [], bots: [], problems: [] };
  for (const path of paths.length === 0 ? ['.'] : paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) {
      found.problems.push(problem(path, 'there is no such file or folder: check the path'));
    } else if (info.isDirectory()) {
      const before = found.testFiles.length;
      await walk(path, found);
      if (found.testFiles.length === before) found.problems.push(problem(path, 'no *.test.json files in this folder or below it: add one, or name the test files'));
    } else if (!path.endsWith('.test.json') && (await looksLikeBot(path))) {
      found.problems.push(problem(path, 'this is a bot, not a test file: name its tests (*.test.json), or a folder holding them'));
    } else {
      found.testFiles.push(path);
    }
  }
  found.testFiles = [...new Set(found.testFiles)];
  found.bots = [...new Set(found.bots)];
  return found;
}

async function walk(dir: string, found: Found): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = dir === '.' ? entry.name : join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name) && !entry.name.startsWith('.')) await walk(path, found);
    } else if (entry.name.endsWith('.test.json')) {
      found.testFiles.push(path);
    } else if (entry.name.endsWith('.json') && (await looksLikeBot(path))) {
      found.bots.push(path);
    }
  }
}

async function looksLikeBot(file: string): Promise<boolean> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> | null;
    return typeof value === 'object' && value !== null && value.format === 1 && typeof value.scripts === 'object';
  } catch {
    return false;
  }
}

function problem(file: string, message: string): Problem {
  return { severity: 'error', file, line: 1, column: 1, pointer: '', message, code: 'read-error' };
}
