// The demo bank bot (scripts/demo.json) pointed at demo services on another port, and a
// sign-in-only variant of it for timing the sign-in turn without the API call that follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bot } from '../src/bot/bot.js';
import { loadBotText } from '../src/bot/load.js';

const demoBotFile = join(import.meta.dirname, '..', 'scripts', 'demo.json');
const demoServicesUrl = 'http://127.0.0.1:4010';

/** scripts/demo.json's text, calling `servicesUrl` instead of the demo's fixed port. */
export function demoBotText(servicesUrl: string): string {
  return readFileSync(demoBotFile, 'utf8').replaceAll(demoServicesUrl, servicesUrl);
}

/** The demo bot's sign-in (same auth token definition, same service) followed by an end step. */
export function signInBotText(servicesUrl: string): string {
  const demo = JSON.parse(demoBotText(servicesUrl)) as { authTokens: unknown; settings: unknown };
  return JSON.stringify({
    format: 1,
    id: 'bench-sign-in',
    name: 'Sign-in benchmark',
    start: 'main',
    settings: demo.settings,
    authTokens: demo.authTokens,
    scripts: {
      main: {
        steps: [
          { type: 'message', text: 'Welcome to ACME Bank.' },
          { type: 'authToken', token: 'acme-login', onFailure: 'no-access' },
          { type: 'end', text: 'Hi {account}, you are signed in.' },
          { id: 'no-access', type: 'end', text: 'We could not sign you in.' },
        ],
      },
    },
  });
}

export function loadBench(text: string, file: string): Bot {
  const { bot, problems } = loadBotText(text, file);
  if (bot === undefined) throw new Error(`${file} does not load: ${problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
  return bot;
}
