// `parley test`: find the test files, load them and their bots (each bot once), play every
// test, and add up coverage. What it returns is all the CLI prints; the exit code follows the
// spec: 2 when a file or its bot is invalid, else 1 when a test failed (or coverage is short).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Bot } from '../bot/bot.js';
import type { BotSource } from '../bot/bot-source.js';
import { parseBotJson } from '../bot/json-syntax.js';
import { loadBotFile } from '../bot/load.js';
import type { Problem } from '../bot/problems.js';
import { CoverageRecord, coverageOf, type BotCoverage } from './coverage.js';
import { findTests } from './find-tests.js';
import { loadTestFile, type LoadedTest } from './load-test-file.js';
import { playTest, type TestResult } from './play.js';

export interface RunOptions {
  coverage?: boolean;
  /** Percent of steps, and of ways out, every bot must reach. Implies coverage. */
  minCoverage?: number;
}

export interface RunReport {
  results: TestResult[];
  /** Invalid test files and bots, and paths that name nothing. */
  problems: Problem[];
  coverage?: BotCoverage[];
  /** Bots under `minCoverage`, in words. */
  shortfalls: string[];
  exitCode: 0 | 1 | 2;
}

interface LoadedBot {
  bot?: Bot;
  problems: Problem[];
}

export async function runTests(paths: readonly string[], options: RunOptions = {}): Promise<RunReport> {
  const wantCoverage = options.coverage === true || options.minCoverage !== undefined;
  const found = await findTests(paths);
  const problems: Problem[] = [...found.problems];
  const bots = new Map<string, Promise<LoadedBot>>();
  const botOf = (file: string) => {
    const key = resolve(file);
    let loading = bots.get(key);
    if (loading === undefined) {
      loading = loadBotFile(file);
      bots.set(key, loading);
    }
    return loading;
  };

  const runnable: Array<{ test: LoadedTest; bot: Bot }> = [];
  const reportedBots = new Set<string>();
  for (const file of found.testFiles) {
    const loaded = await loadTestFile(file);
    problems.push(...loaded.problems);
    const ready: Array<{ test: LoadedTest; bot: Bot }> = [];
    let fileOk = loaded.problems.length === 0;
    for (const test of loaded.tests) {
      const { bot, problems: botProblems } = await botOf(test.bot);
      if (bot === undefined) {
        fileOk = false;
        if (!reportedBots.has(resolve(test.bot))) {
          reportedBots.add(resolve(test.bot));
          problems.push(...botProblems.filter((p) => p.severity === 'error'));
        }
        const said = test.source.error('schema', test.botPath, `the bot ${test.bot} does not load (its problems are listed with it): fix it, or check this path`);
        if (!problems.some((p) => p.file === said.file && p.pointer === said.pointer)) problems.push(said);
        continue;
      }
      for (const id of Object.keys(test.tokens)) {
        if (bot.authTokens[id] === undefined) {
          fileOk = false;
          const known = Object.keys(bot.authTokens);
          problems.push(test.source.error('schema', [...test.tokensPath, id], `the bot has no auth token definition "${id}"${known.length === 0 ? '' : ` (it has: ${known.join(', ')})`}: use one of its ids`, { at: 'key' }));
        }
      }
      ready.push({ test, bot });
    }
    // A file with any problem runs none of its tests: its results would mislead.
    if (fileOk) runnable.push(...ready);
  }

  const records = new Map<string, CoverageRecord>();
  const results: TestResult[] = [];
  for (const { test, bot } of runnable) {
    let record: CoverageRecord | undefined;
    if (wantCoverage) {
      record = records.get(resolve(test.bot));
      if (record === undefined) records.set(resolve(test.bot), (record = new CoverageRecord()));
    }
    results.push(await playOrReport(test, bot, record));
  }

  let coverage: BotCoverage[] | undefined;
  const shortfalls: string[] = [];
  if (wantCoverage) {
    coverage = [];
    const covered = new Map<string, string>();
    for (const { test } of runnable) covered.set(resolve(test.bot), test.bot);
    for (const file of found.bots) if (!covered.has(resolve(file))) covered.set(resolve(file), file);
    for (const [key, file] of covered) {
      const { bot } = await botOf(file);
      // A bot in the folder that does not load is `validate`'s to report; it has no tests to count.
      if (bot === undefined) continue;
      const source = await sourceOf(file);
      const one = coverageOf(bot, source, records.get(key));
      coverage.push(one);
      if (options.minCoverage !== undefined) {
        const min = options.minCoverage;
        if (one.steps.percent < min) shortfalls.push(`${one.bot}: ${one.steps.percent}% of steps reached, under --min-coverage ${min}%`);
        if (one.branches.percent < min) shortfalls.push(`${one.bot}: ${one.branches.percent}% of ways out taken, under --min-coverage ${min}%`);
      }
    }
  }

  const exitCode = problems.length > 0 ? 2 : results.some((r) => !r.ok) || shortfalls.length > 0 ? 1 : 0;
  return { results, problems, ...(coverage === undefined ? {} : { coverage }), shortfalls, exitCode };
}

/** A test that could not be played (a bug in Parley) fails at its place with the reason, not with a stack trace. */
async function playOrReport(test: LoadedTest, bot: Bot, record: CoverageRecord | undefined): Promise<TestResult> {
  try {
    return await playTest(test, bot, record?.observe);
  } catch (error) {
    const { line, column } = test.source.position(test.source.offset(test.path));
    const message = `the test could not be played: ${error instanceof Error ? error.message : String(error)} (a fault in Parley, not in the test: please report it)`;
    return { file: test.file, name: test.name, bot: test.bot, ok: false, ms: 0, failure: { file: test.file, line, column, message } };
  }
}

/** The bot's text with positions, for coverage's BOTFILE:LINE:COL. */
async function sourceOf(file: string): Promise<BotSource> {
  return parseBotJson(await readFile(file, 'utf8'), file).source;
}
