// A served bot's file changes: the server reloads it (file watch, SIGHUP). A good edit serves
// at once and conversations in progress keep their place; a bad one is refused, logged with
// its problems, and the last good version keeps serving.
import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer } from '../../src/server/start-server.js';
import { stopChild } from '../support/stop-child.js';
import { authToken, fixture, postTwilio, twimlTexts, uniquePhone } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function botText(steps: unknown[]): string {
  return JSON.stringify({ format: 1, id: 'reloaded', name: 'Reloaded', start: 'main', scripts: { main: { steps } } }, null, 2);
}

const v1 = botText([
  { type: 'message', text: 'Hi.' },
  { id: 'name', type: 'question', ask: 'Name?', save: 'name' },
  { type: 'end', text: 'Thanks {name}.' },
]);

interface Served {
  file: string;
  say(from: string, body: string): Promise<string[]>;
  lines(): Array<{ level: number; msg: string; [key: string]: unknown }>;
  /** Resolves once a line matching `pattern` has been written after `since` lines. */
  logged(pattern: RegExp, since?: number): Promise<void>;
}

async function served(text: string): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-reload-'));
  const file = join(dir, 'bot.json');
  writeFileSync(file, text);
  const written: string[] = [];
  const server = await startServer({ botFile: file, port: 0, host: '127.0.0.1', env: { TWILIO_AUTH_TOKEN: authToken, LOG_LEVEL: 'info' }, logDestination: { write: (line: string) => void written.push(line) } });
  onTestFinished(() => server.close());
  let sid = 0;
  const lines = () => written.map((line) => JSON.parse(line) as { level: number; msg: string });
  return {
    file,
    say: async (from, body) => {
      const fields = { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: `SM${String(++sid).padStart(32, 'f')}${''}`.slice(0, 34) };
      return twimlTexts((await postTwilio({ url: `http://127.0.0.1:${server.port}`, publicUrl: server.url }, '/twilio/sms', fields)).text, 'Message');
    },
    lines,
    logged: async (pattern, since = 0) => {
      const deadline = Date.now() + 5_000;
      while (!lines().slice(since).some((line) => pattern.test(line.msg))) {
        if (Date.now() > deadline) throw new Error(`no line matching ${pattern}:\n${written.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

describe('reloading a served bot', () => {
  it('serves a good edit at once, and a conversation in progress goes on at its step, found by id', async () => {
    const bot = await served(v1);
    const ada = uniquePhone();
    expect(await bot.say(ada, 'hi')).toEqual(['Hi.', 'Name?']);

    const before = bot.lines().length;
    writeFileSync(
      bot.file,
      botText([
        { type: 'message', text: 'Hello!' },
        { type: 'message', text: 'We have news.' },
        { id: 'name', type: 'question', ask: 'Your name, please?', save: 'name' },
        { type: 'end', text: 'Cheers, {name}.' },
      ]),
    );
    await bot.logged(/^reloaded bot "reloaded"$/, before);
    // Ada was waiting at the question, now two steps further down: her answer is taken there.
    expect(await bot.say(ada, 'Ada')).toEqual(['Cheers, Ada.']);
    expect(await bot.say(uniquePhone(), 'hi')).toEqual(['Hello!', 'We have news.', 'Your name, please?']);
  });

  it('refuses a bad edit with its problems in the log, and the last good version keeps serving', async () => {
    const bot = await served(v1);
    const ada = uniquePhone();
    expect(await bot.say(ada, 'hi')).toEqual(['Hi.', 'Name?']);

    const before = bot.lines().length;
    writeFileSync(bot.file, botText([{ type: 'message', text: 'Broken.' }, { type: 'question', ask: 'Name?', save: 'name', onFailure: 'nowhere' }]));
    await bot.logged(/the changed bot file was refused .*the last good version of "reloaded" keeps serving/, before);
    const problem = bot.lines().slice(before).find((line) => line.level === 50 && line.pointer !== undefined)!;
    expect(problem.msg).toMatch(new RegExp(`^${bot.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: .*nowhere`));
    expect(await bot.say(ada, 'Ada')).toEqual(['Thanks Ada.']);
    expect(await bot.say(uniquePhone(), 'hi')).toEqual(['Hi.', 'Name?']);

    // Fixed: served again.
    writeFileSync(bot.file, v1.replace('Hi.', 'Hi again.'));
    await bot.logged(/^reloaded bot "reloaded"$/, before);
    expect(await bot.say(uniquePhone(), 'hi')).toEqual(['Hi again.', 'Name?']);
  });

  it('starts a conversation over, in plain words, when its step is gone; keeps one by position with a warning when its step had no id', async () => {
    const bot = await served(v1);
    const ada = uniquePhone();
    expect(await bot.say(ada, 'hi')).toEqual(['Hi.', 'Name?']);
    let before = bot.lines().length;
    writeFileSync(bot.file, botText([{ type: 'message', text: 'Hi.' }, { id: 'age', type: 'question', ask: 'Age?', save: 'age', input: 'number' }, { type: 'end', text: 'Noted.' }]));
    await bot.logged(/^reloaded bot/, before);
    expect(await bot.say(ada, 'Ada')).toEqual(['Sorry, this conversation was updated while we were talking, so we are starting over.', 'Hi.', 'Age?']);
    expect(bot.lines().some((line) => line.level === 40 && /without that step: it starts over/.test(line.msg))).toBe(true);

    const noIds = (ask: string) => botText([{ type: 'message', text: 'Hi.' }, { type: 'question', ask, save: 'x' }, { type: 'end', text: 'Got {x}.' }]);
    before = bot.lines().length;
    writeFileSync(bot.file, noIds('First?'));
    await bot.logged(/^reloaded bot/, before);
    const alan = uniquePhone();
    expect(await bot.say(alan, 'hi')).toEqual(['Hi.', 'First?']);
    before = bot.lines().length;
    writeFileSync(bot.file, noIds('Second?'));
    await bot.logged(/^reloaded bot/, before);
    expect(await bot.say(alan, 'yes')).toEqual(['Got yes.']);
    expect(bot.lines().some((line) => line.level === 40 && /kept at the same position after a reload/.test(line.msg))).toBe(true);
  });

  it('reloads on SIGHUP, also a change the file watch cannot see (a file behind a symlink)', async () => {
    const real = mkdtempSync(join(tmpdir(), 'parley-real-'));
    const served = mkdtempSync(join(tmpdir(), 'parley-link-'));
    writeFileSync(join(real, 'bot.json'), v1);
    symlinkSync(join(real, 'bot.json'), join(served, 'bot.json'));
    const child = spawn(process.execPath, [join(root, 'bin/parley.js'), 'serve', join(served, 'bot.json'), '--port', '0'], {
      cwd: root,
      env: { PATH: process.env.PATH, PARLEY_DEV: '1', TWILIO_AUTH_TOKEN: authToken, LOG_LEVEL: 'info' },
    });
    onTestFinished(() => stopChild(child));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const lines = () => out.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { msg: string; port?: number; listening?: string });
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`not within time:\n${out}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    await until(() => lines().some((line) => line.listening !== undefined));
    const port = lines().find((line) => line.listening !== undefined)!.port!;
    const say = async (body: string) =>
      twimlTexts((await postTwilio({ url: `http://127.0.0.1:${port}`, publicUrl: `http://localhost:${port}` }, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: uniquePhone(), Body: body, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}` })).text, 'Message');
    expect(await say('hi')).toEqual(['Hi.', 'Name?']);

    writeFileSync(join(real, 'bot.json'), v1.replace('Hi.', 'Hi after SIGHUP.'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    // The watch saw nothing: the old version still serves.
    expect(await say('hi')).toEqual(['Hi.', 'Name?']);
    child.kill('SIGHUP');
    await until(() => lines().some((line) => line.msg === 'reloaded bot "reloaded"'));
    expect(await say('hi')).toEqual(['Hi after SIGHUP.', 'Name?']);
  }, 60_000);
});
