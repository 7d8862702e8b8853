// Loading the bot files kept in test/fixtures/bots, for tests that assert positions in them.
import { fileURLToPath } from 'node:url';
import { loadBotFile } from '../../src/bot/load.js';
import type { LoadResult } from '../../src/bot/load.js';
import type { Problem } from '../../src/bot/problems.js';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/bots/${name}`, import.meta.url));
}

export function loadFixture(name: string): Promise<LoadResult> {
  return loadBotFile(fixturePath(name));
}

/** The one problem of a result, failing loudly when there are others. */
export function onlyProblem(result: LoadResult): Problem {
  const [problem, ...rest] = result.problems;
  if (!problem || rest.length > 0) throw new Error(`expected exactly one problem, got ${JSON.stringify(result.problems, null, 2)}`);
  return problem;
}

/** A bot file as text: script "main" with these steps; `extra` adds or replaces top-level keys. */
export function botText(steps: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 1, id: 'test', name: 'Test', start: 'main', scripts: { main: { steps } }, ...extra }, null, 2);
}
