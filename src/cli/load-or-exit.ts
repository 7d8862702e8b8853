import type { Bot } from '../bot/bot.js';
import { loadBotFile, type LoadOptions } from '../bot/load.js';
import { formatProblem } from '../bot/problems.js';

/** Loads a bot for a command, printing its problems; a bot with errors ends the process with 1. */
export async function loadOrExit(path: string, options: LoadOptions = {}): Promise<Bot> {
  const { bot, problems } = await loadBotFile(path, options);
  for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
  if (bot === undefined) {
    process.stderr.write(`${path}: the bot has errors; fix them and try again (\`parley validate ${path}\` lists them).\n`);
    process.exit(1);
  }
  return bot;
}
