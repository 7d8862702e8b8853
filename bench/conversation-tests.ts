// Conversation tests per second: `parley test` on the example bots' tests (scripts/tests/), in
// process, after start-up (modules loaded, one warm-up run). Each run is what the command does
// after its imports: find the files, load them and their bots, play every test.
import { join } from 'node:path';
import { runTests } from '../src/testing/run-tests.js';
import { collectGarbage, median } from './stats.js';

export interface ConversationTestOptions {
  /** Runs measured; each plays every example test once. */
  runs: number;
  warmupRuns: number;
}

export interface ConversationTestResult {
  files: number;
  testsPerRun: number;
  /** Tests per second of each measured run. */
  rates: number[];
  median: number;
  /** Test files per second, at the median rate. */
  filesPerSecond: number;
  /** How long 200 tests take at the median rate. */
  msFor200: number;
}

export async function measureConversationTests(options: ConversationTestOptions): Promise<ConversationTestResult> {
  const folder = join(import.meta.dirname, '..', 'scripts');
  const rates: number[] = [];
  let files = 0;
  let testsPerRun = 0;
  for (let run = 0; run < options.warmupRuns + options.runs; run += 1) {
    collectGarbage();
    const started = performance.now();
    const report = await runTests([folder]);
    const seconds = (performance.now() - started) / 1000;
    if (report.exitCode !== 0) throw new Error(`the example bots' tests did not pass (exit ${report.exitCode})`);
    testsPerRun = report.results.length;
    files = new Set(report.results.map((r) => r.file)).size;
    if (run >= options.warmupRuns) rates.push(testsPerRun / seconds);
  }
  const rate = median(rates);
  return { files, testsPerRun, rates, median: rate, filesPerSecond: (rate * files) / testsPerRun, msFor200: (200 / rate) * 1000 };
}
