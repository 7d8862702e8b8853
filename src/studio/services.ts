// What the bot's calls reach in the studio: the real services the bot file names (the studio is
// local, so loopback and private addresses are allowed), or, with `--tests DIR`, the stand-ins
// of one of the conversation tests there that play this bot (src/testing/stand-ins.ts: a call
// no stand-in answers fails as a network error would, and nothing reaches the network).
import { relative, resolve } from 'node:path';
import { networkOutbound, type Outbound } from '../http/outbound.js';
import { formatProblem } from '../bot/problems.js';
import { findTests } from '../testing/find-tests.js';
import { loadTestFile, type LoadedTest } from '../testing/load-test-file.js';
import { standInsFor } from '../testing/stand-ins.js';

export interface ServiceChoice {
  id: string;
  label: string;
}

export const realServices: ServiceChoice = { id: 'real', label: 'The real services the bot names' };

export interface Services {
  choices: ServiceChoice[];
  /** Test files that could not be read, and why no test plays this bot. */
  notes: string[];
  /** A fresh way out for a new conversation (stand-ins count their uses from zero). */
  outbound(id: string): Outbound;
  /** `{secret.*}` values the chosen test gives, over the settings' ones. */
  secrets(id: string): Record<string, string>;
}

export async function servicesFor(botPath: string, testsDir: string | undefined): Promise<Services> {
  const network = networkOutbound({ allowPrivate: true });
  const tests = new Map<string, LoadedTest>();
  const notes: string[] = [];
  if (testsDir !== undefined) {
    const found = await findTests([testsDir]);
    notes.push(...found.problems.map(formatProblem));
    const bot = resolve(botPath);
    for (const file of found.testFiles) {
      const loaded = await loadTestFile(file);
      notes.push(...loaded.problems.map(formatProblem));
      for (const test of loaded.tests) if (resolve(test.bot) === bot) tests.set(`test-${tests.size + 1}`, test);
    }
    if (tests.size === 0) notes.push(`${testsDir}: no conversation test there plays ${botPath}, so only the real services can be chosen`);
  }
  const choices = [realServices, ...[...tests].map(([id, test]) => ({ id, label: `Stand-ins of ${relative('.', test.file)} · ${test.name}` }))];
  return {
    choices,
    notes,
    outbound: (id) => {
      const test = tests.get(id);
      return test === undefined ? network : standInsFor(test.services).outbound;
    },
    secrets: (id) => tests.get(id)?.secrets ?? {},
  };
}
