// `parley serve` writes JSON and nothing else: the start-up line (saying where it really
// listens), a refusal to start, every request and what the turn logs. Lines written for a
// request carry its id; a conversation is named by a keyed digest, never by the phone number.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/log.js';
import { requestIdsFollowWork } from '../../src/server/request-context.js';
import { botFile } from '../support/server-process.js';
import { stopChild } from '../support/stop-child.js';
import { uniquePhone } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const authToken = 'json-log-auth-token';
const key = Buffer.alloc(32, 9).toString('base64');
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
});

// `{account}` has no value before a sign-in: the turn logs a warning naming the conversation.
const bot = { format: 1, id: 'logged', name: 'Logged', start: 'main', scripts: { main: { steps: [{ type: 'message', text: 'Hi {account}.' }, { type: 'question', ask: 'Name?', save: 'name' }, { type: 'end', text: 'Bye.' }] } } };

interface Served {
  port: number;
  /** Every line written so far, on standard output and standard error, in order. */
  lines(): string[];
  exited: Promise<number | null>;
}

function serve(botPath: string, env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [join(root, 'bin/parley.js'), 'serve', botPath, '--port', '0'], {
    cwd: root,
    env: { PATH: process.env.PATH, PARLEY_DEV: '1', LOG_LEVEL: 'debug', TWILIO_AUTH_TOKEN: authToken, ...env },
  });
  children.push(child);
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () => text.split('\n').filter((line) => line !== '');
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const serving = lines().find((line) => line.includes('"listening"'));
      if (serving === undefined) return;
      clearInterval(timer);
      resolve({ port: (JSON.parse(serving) as { port: number }).port, lines, exited });
    }, 25);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited with ${code}:\n${text}`));
    });
  });
}

async function sms(port: number, from: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  const fields = { From: from, To: '+15550100000', Body: body, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`, AccountSid: `AC${'0'.repeat(32)}` };
  return fetch(`http://127.0.0.1:${port}/twilio/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, `http://localhost:${port}/twilio/sms`, fields), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

type Line = Record<string, unknown> & { msg?: string };

async function until<T>(check: () => T | undefined, withinMs = 10_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('not within time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the log of `parley serve`', () => {
  it('is JSON only, says where it listens, names each request and keeps phone numbers out', async () => {
    const path = botFile(bot);
    const server = await serve(path, { TOKEN_ENCRYPTION_KEY: key });
    const phone = uniquePhone();
    const answer = await sms(server.port, phone, 'hi', { 'x-request-id': 'lb-req-12345678' });
    expect(answer.headers.get('x-request-id')).toBe('lb-req-12345678');
    const other = await sms(server.port, phone, 'Ada');
    const generated = other.headers.get('x-request-id');
    expect(generated).toMatch(/^[A-Za-z0-9_-]+-[0-9a-z]+$/);

    // Lines are buffered up to 250 ms.
    const parsed = await until(() => {
      const all = server.lines().map((line) => JSON.parse(line) as Line);
      return all.filter((line) => line.msg === 'request').length >= 2 ? all : undefined;
    });
    // Every line parsed above; none is plain text.
    const serving = parsed.find((line) => typeof line.listening === 'string')!;
    expect(serving.listening).toBe(`[::]:${server.port}`);
    expect(serving.msg).toBe(`serving on [::]:${server.port}`);

    const requests = parsed.filter((line) => line.msg === 'request');
    expect(requests.map((line) => [line.route, line.status, line.requestId])).toEqual([
      ['/twilio/sms', 200, 'lb-req-12345678'],
      ['/twilio/sms', 200, generated],
    ]);
    // The turn's own warning carries the conversation's digest, and the request's id where that
    // is cheap (Node 24: see request-context.ts).
    const warning = parsed.find((line) => typeof line.msg === 'string' && line.msg.includes('{account} has no value'))!;
    expect(warning.requestId).toBe(requestIdsFollowWork ? 'lb-req-12345678' : undefined);
    expect(warning.conversation).toMatch(/^c-[A-Za-z0-9_-]{16}$/);
    const text = server.lines().join('\n');
    expect(text).not.toContain(phone);
    expect(text).not.toContain(phone.slice(1));

    // Another instance with the same TOKEN_ENCRYPTION_KEY names the conversation the same way.
    const second = await serve(path, { TOKEN_ENCRYPTION_KEY: key });
    await sms(second.port, phone, 'hi');
    const again = await until(() =>
      second
        .lines()
        .map((line) => JSON.parse(line) as Line)
        .find((line) => typeof line.msg === 'string' && line.msg.includes('{account} has no value')),
    );
    expect(again.conversation).toBe(warning.conversation);
  }, 60_000);

  it('refuses to start in JSON: a bot with errors (a line per problem), or a bad setting', async () => {
    const broken = botFile({ format: 1, id: 'broken', name: 'Broken', start: 'nowhere', scripts: { main: { steps: [{ type: 'end' }] } } });
    const child = spawn(process.execPath, [join(root, 'bin/parley.js'), 'serve', broken], { cwd: root, env: { PATH: process.env.PATH, PARLEY_DEV: '1' } });
    children.push(child);
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Line);
    expect(lines.some((line) => line.level === 50 && line.file === broken && typeof line.line === 'number')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: 60, msg: expect.stringMatching(/the server does not start: .*the bot has errors/) });

    const badSetting = spawn(process.execPath, [join(root, 'bin/parley.js'), 'serve', broken], { cwd: root, env: { PATH: process.env.PATH, PARLEY_DEV: '1', PORT: 'eighty' } });
    children.push(badSetting);
    let out = '';
    badSetting.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    badSetting.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    expect(await new Promise((resolve) => badSetting.once('exit', resolve))).toBe(1);
    const [only, ...rest] = out.split('\n').filter((line) => line !== '');
    expect(rest).toEqual([]);
    expect(JSON.parse(only!)).toMatchObject({ level: 60, problems: ['PORT: write a port number from 0 to 65535'] });
  }, 60_000);
});

describe('conversation ids in the log', () => {
  function idOf(fingerprint?: (text: string) => string, conversation = 'twilio:sms:+15550100001'): unknown {
    const lines: string[] = [];
    createLogger('info', { write: (line: string) => void lines.push(line) }, fingerprint === undefined ? {} : { fingerprint }).info({ conversation }, 'x');
    return (JSON.parse(lines[0]!) as Line).conversation;
  }

  it('are keyed digests: the same under one key whichever layer names the conversation, different under another', async () => {
    const { createCipher } = await import('../../src/stores/cipher.js');
    const one = createCipher(key);
    const other = createCipher(Buffer.alloc(32, 8).toString('base64'));
    const byOne = (text: string) => one.fingerprint(text);
    expect(idOf(byOne)).toBe(idOf(byOne, 'sms:+15550100001'));
    expect(idOf(byOne)).not.toBe(idOf((text) => other.fingerprint(text)));
    expect(idOf(byOne)).not.toBe(idOf(byOne, 'twilio:sms:+15550100002'));
    expect(String(idOf())).not.toContain('5550100001');
  });
});
