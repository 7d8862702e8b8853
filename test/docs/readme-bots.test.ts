// The README's bots work as printed: each bot in it loads without a problem and passes the
// editor's schema, and the walk-through from an empty folder runs, as the README tells it,
// against its own stand-in service, and gives the conversation the README shows.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { botJsonSchema } from '../../src/bot/json-schema.js';
import { loadBotText } from '../../src/bot/load.js';
import { codeBlocks, readDoc, root } from './markdown.js';

const readme = readDoc('README.md');
const blocks = codeBlocks(readme);
const bots = blocks.filter((block) => /"format"\s*:\s*1/.test(block.text));

describe("the README's bots", () => {
  it('are plain JSON blocks: there are some, and none is JSONC', () => {
    expect(bots.length).toBeGreaterThanOrEqual(2);
    expect(bots.map((bot) => `README.md:${bot.line} ${bot.language}`)).toEqual(bots.map((bot) => `README.md:${bot.line} json`));
  });

  it.each(bots.map((bot) => [`README.md:${bot.line}`, bot] as const))('%s loads as printed, without a problem, and passes the editor schema', (where, bot) => {
    const loaded = loadBotText(bot.text, where);
    expect(loaded.problems).toEqual([]);
    expect(loaded.bot).toBeDefined();
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(botJsonSchema());
    validate(JSON.parse(bot.text));
    expect(validate.errors ?? []).toEqual([]);
  });
});

const run = promisify(execFile);
const parleyBin = join(root, 'bin', 'parley.js');

async function parley(cwd: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  const child = run(process.execPath, [parleyBin, ...args], { cwd, timeout: 30_000, env: { ...process.env, REDIS_URL: '', ALLOW_PRIVATE_NETWORKS: undefined, ...env } });
  child.child.stdin?.end(input);
  return child;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function block(name: string): string {
  const found = blocks.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`the README has no block named ${name}`);
  return found.text;
}

describe("the README's walk-through, from an empty folder", () => {
  const stop: Array<() => void> = [];
  afterEach(() => {
    for (const kill of stop.splice(0)) kill();
  });

  it('gives the conversation the README shows, and says why a call is refused without ALLOW_PRIVATE_NETWORKS', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'parley-walk-'));
    // The README's port, moved to a free one so parallel runs cannot collide.
    const port = String(await freePort());
    const service = block('service.mjs');
    const bot = block('parcels.bot.json');
    expect(service).toContain('4020');
    expect(bot).toContain('127.0.0.1:4020');
    await writeFile(join(folder, 'service.mjs'), service.replaceAll('4020', port));
    await writeFile(join(folder, 'parcels.bot.json'), bot.replaceAll('4020', port));

    // Step 1: the schema for the editor, written into the folder the bot names it from.
    await parley(folder, ['schema', '--write', '.'], '');
    const written = JSON.parse(await readFile(join(folder, 'bot.schema.json'), 'utf8')) as object;
    expect(new Ajv2020({ allowUnionTypes: true }).compile(written)(JSON.parse(bot))).toBe(true);

    // Step 4: validate, start the stand-in, talk.
    expect((await parley(folder, ['validate', 'parcels.bot.json'], '')).stdout).toBe('parcels.bot.json: ok\n');
    const standIn = spawn(process.execPath, ['service.mjs'], { cwd: folder, stdio: ['ignore', 'pipe', 'inherit'] });
    stop.push(() => standIn.kill());
    await new Promise<void>((resolve, reject) => {
      standIn.stdout.once('data', () => resolve());
      standIn.once('exit', (code) => reject(new Error(`the stand-in exited with ${String(code)}`)));
    });

    // The README's conversation: "you>" lines are typed (the hidden one is the PIN, 1234).
    const transcript = blocks.find((candidate) => candidate.language === 'text' && candidate.name === 'conversation');
    expect(transcript).toBeDefined();
    const lines = transcript!.text.trim().split('\n');
    const typed = lines.filter((line) => line.startsWith('you')).map((line) => (line.startsWith('you (hidden)>') ? '1234' : line.replace(/^you> /, '')));
    const said = lines.filter((line) => line.startsWith('bot> ')).map((line) => line.slice('bot> '.length));
    const talk = await parley(folder, ['chat', 'parcels.bot.json'], `${typed.join('\n')}\n`, { ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(talk.stdout.trim().split('\n')).toEqual(said);
    expect(talk.stderr).toMatch(/^call {2}GET http:\/\/127\.0\.0\.1:\d+\/parcels\/1001 → 200, \d+ ms/m);
    expect(talk.stderr).not.toContain('1234');

    // Without the setting: what the README says the terminal shows.
    const refused = await parley(folder, ['chat', 'parcels.bot.json'], 'hi\nada@example.com\n1234\n');
    expect(refused.stdout).toContain("Sorry, I couldn't check your details just now");
    const shown = blocks.find((candidate) => candidate.language === 'text' && candidate.text.startsWith('call  POST'));
    expect(shown).toBeDefined();
    for (const line of shown!.text.trim().split('\n')) {
      const pattern = line.replaceAll('4020', port).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+ ms/, '\\d+ ms');
      expect(refused.stderr).toMatch(new RegExp(`^${pattern}$`, 'm'));
    }
  });
});
