// `parley validate` on a bot whose language Parley has no words for: the phrases it would still
// say in English are listed as a warning, and the bot is valid (exit 0).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-phrases-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parley validate and the bot’s words', () => {
  it('lists the phrases a French bot would say in English, as a warning, and exits 0', async () => {
    const bot = {
      format: 1,
      id: 'bonjour',
      name: 'Bonjour',
      start: 'main',
      settings: { language: 'fr-FR', phrases: { invalidYesno: { fr: 'Répondez oui ou non.' } } },
      scripts: { main: { steps: [{ type: 'question', ask: 'Sûr ?', save: 'sure', input: 'yesno', onFailure: 'main' }] } },
    };
    const path = join(dir, 'bonjour.json');
    await writeFile(path, JSON.stringify(bot, null, 2));
    const { stdout } = await run(process.execPath, [join(root, 'bin', 'parley.js'), 'validate', path], { cwd: root, timeout: 30_000, env: { ...process.env, REDIS_URL: '' } });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^.*bonjour\.json:7:17: warning: this bot speaks "fr-FR", for which Parley has no words of its own, so it would still say these 10 built-in phrases in English: runaway, trouble, interrupted, restarted, botChanged, yes, no, keypadYesNo, holdOn, tooSlow/);
  });
});
