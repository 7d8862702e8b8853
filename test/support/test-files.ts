// Conversation test files in memory, for the tests of `parley test` itself: a test file's text
// and a bot, played through the player as the CLI plays them.
import { loadBotText } from '../../src/bot/load.js';
import type { Bot } from '../../src/bot/bot.js';
import type { StepObserver } from '../../src/runtime/step-observer.js';
import { loadTestText } from '../../src/testing/load-test-file.js';
import { playTest, type TestResult } from '../../src/testing/play.js';

/** A bot from an object, through the real loader (positions, checks). */
export function loadedBot(file: object, source = 'bot.json'): Bot {
  const { bot, problems } = loadBotText(JSON.stringify({ format: 1, id: 'test-bot', name: 'Test bot', start: 'main', ...file }, null, 2), source);
  if (bot === undefined) throw new Error(`the test bot does not load: ${problems.map((p) => p.message).join('; ')}`);
  return bot;
}

/**
 * Plays every test of a test file's text (written with one key per line, so positions are
 * predictable) against `bot`; a file with problems throws them.
 */
export async function playText(text: string, bot: Bot, observe?: StepObserver): Promise<TestResult[]> {
  const loaded = loadTestText(text, 'inline.test.json');
  if (loaded.problems.length > 0) throw new Error(loaded.problems.map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n'));
  const results: TestResult[] = [];
  for (const test of loaded.tests) results.push(await playTest(test, bot, observe));
  return results;
}

/** The 1-based line of the first line of `text` holding `needle`, and its column. */
export function lineOf(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`no line holds ${needle}`);
  return { line: index + 1, column: lines[index]!.indexOf(needle) + 1 };
}
