// Conversation tests per second: `parley test` on the example bots' tests (scripts/tests/), in
// process, after start-up (modules loaded). The tests are copied until there are at least 200,
// so one run is the target's 200 tests; the first run is timed as it is (code not yet warm, as
// in a CI job), then the median of warm runs. A run is what the command does after its
// imports: find the files, load them and their bots, play every test.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '../src/testing/run-tests.js';
import { collectGarbage, median } from './stats.js';

export interface ConversationTestOptions {
  /** Warm runs measured after the first; each plays every test once. */
  runs: number;
}

export interface ConversationTestResult {
  files: number;
  tests: number;
  /** The first run after start-up, in ms. */
  firstRunMs: number;
  /** Tests per second of each warm run. */
  rates: number[];
  median: number;
  /** Test files per second, at the median rate. */
  filesPerSecond: number;
}

const target = 200;

export async function measureConversationTests(options: ConversationTestOptions): Promise<ConversationTestResult> {
  const scripts = resolve(import.meta.dirname, '..', 'scripts');
  const dir = join(tmpdir(), `parley-bench-tests-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const originals = readdirSync(join(scripts, 'tests')).filter((name) => name.endsWith('.test.json'));
    const perCopy = originals.reduce((n, name) => n + testsIn(join(scripts, 'tests', name)), 0);
    const copies = Math.ceil(target / perCopy);
    for (let copy = 0; copy < copies; copy += 1) {
      for (const name of originals) {
        const test = JSON.parse(readFileSync(join(scripts, 'tests', name), 'utf8')) as { bot: string };
        test.bot = resolve(scripts, 'tests', test.bot);
        writeFileSync(join(dir, `${copy}-${name}`), JSON.stringify(test));
      }
    }
    const files = copies * originals.length;
    const once = async (): Promise<{ seconds: number; tests: number }> => {
      collectGarbage();
      const started = performance.now();
      const report = await runTests([dir]);
      const seconds = (performance.now() - started) / 1000;
      if (report.exitCode !== 0) throw new Error(`the example bots' tests did not pass (exit ${report.exitCode})`);
      return { seconds, tests: report.results.length };
    };
    const first = await once();
    const rates: number[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const { seconds, tests } = await once();
      rates.push(tests / seconds);
    }
    const rate = median(rates);
    return { files, tests: first.tests, firstRunMs: first.seconds * 1000, rates, median: rate, filesPerSecond: (rate * files) / first.tests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function testsIn(file: string): number {
  const value = JSON.parse(readFileSync(file, 'utf8')) as { tests?: unknown[] };
  return Array.isArray(value.tests) ? value.tests.length : 1;
}
