// `parley chat BOT --record FILE`: the conversation just had becomes a test file that passes as
// recorded, with the services' real answers as stand-ins, and never a secret in it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBotFile } from '../../src/bot/load.js';
import { createEngine } from '../../src/create-engine.js';
import { networkOutbound } from '../../src/http/outbound.js';
import { runTurn } from '../../src/runtime/run-turn.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { startRecording } from '../../src/testing/record.js';
import { runTests } from '../../src/testing/run-tests.js';
import { startStandIn, type StandInService } from '../support/stand-in-service.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

const services: StandInService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

const password = 'hunter2-pw-81';
const wrongPassword = 'not-it-pw-17';
const token = 'tok-9f8e7d6c';
const refreshToken = 'refresh-5a5a5a';
const apiKey = 'apikey-3c3c3c';

function bankBot(url: string): object {
  return {
    format: 1,
    id: 'bank',
    name: 'Bank',
    start: 'main',
    authTokens: {
      bank: {
        url: `${url}/login`,
        headers: { 'X-Api-Key': '{secret.APIKEY}' },
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 600,
        tokenPath: 'access_token',
        accountPath: 'name',
      },
    },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'bank' },
          { type: 'webService', url: `${url}/balance?key={secret.APIKEY}`, headers: { Authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
          { type: 'end', text: '{account}, your balance is {balance}.' },
        ],
      },
    },
  };
}

describe('parley chat --record', () => {
  it('writes a test that passes as recorded, holding no password, token or secret', async () => {
    const service = await startStandIn();
    services.push(service);
    service.on('POST /login', (seen) =>
      (seen.json as { password?: string }).password === password
        ? { json: { access_token: token, refresh_token: refreshToken, name: 'Ada' } }
        : { status: 401, json: { error: 'no' } },
    );
    service.on('GET /balance', (seen) => (seen.headers.authorization === `Bearer ${token}` && seen.query.key === apiKey ? { json: { balance: 42 } } : { status: 401 }));
    const dir = await mkdtemp(join(tmpdir(), 'parley-record-'));
    const botFile = join(dir, 'bank.json');
    await writeFile(botFile, JSON.stringify(bankBot(service.url), null, 2));
    const recorded = join(dir, 'tests', 'bank.test.json');
    await mkdir(join(dir, 'tests'));

    const child = run(process.execPath, [join(root, 'bin', 'parley.js'), 'chat', botFile, '--record', recorded], {
      cwd: root,
      timeout: 30_000,
      env: { ...process.env, REDIS_URL: '', ALLOW_PRIVATE_NETWORKS: 'true', BOT_SECRET_APIKEY: apiKey },
    });
    child.child.stdin?.end(`hi\nada\n${wrongPassword}\nada\n${password}\n`);
    const { stdout, stderr } = await child;
    expect(stdout).toContain('Ada, your balance is 42.');
    expect(stderr).toContain(`recorded the conversation as a test: ${recorded}`);
    expect(service.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /login', 'POST /login', 'GET /balance']);

    const text = await readFile(recorded, 'utf8');
    for (const secret of [password, wrongPassword, token, refreshToken, apiKey]) expect(text).not.toContain(secret);
    const test = JSON.parse(text) as { bot: string; secrets: Record<string, string>; services: Array<{ reply: { status: number; json?: unknown } }>; turns: object[] };
    expect(test.bot).toBe('../bank.json');
    expect(test.secrets).toEqual({ APIKEY: 'secret-APIKEY' });
    // The services' real answers, in the order they came.
    expect(test.services.map((s) => s.reply.status)).toEqual([401, 200, 200]);
    expect(test.services[1]!.reply.json).toEqual({ access_token: 'token-bank', refresh_token: 'masked-1', name: 'Ada' });
    expect(test.services[2]!.reply.json).toEqual({ balance: 42 });
    expect(test.turns).toContainEqual({ user: 'secret-answer-2' });
    expect(test.turns).toContainEqual({ call: { method: 'GET', url: `${service.url}/balance?key=secret-APIKEY` } });
    expect(test.turns.at(-1)).toEqual({ ended: true });

    // Played back offline: the services are not called again.
    const before = service.requests.length;
    const report = await runTests([recorded]);
    expect(report.problems).toEqual([]);
    expect(report.results.map((r) => r.failure ?? 'passed')).toEqual(['passed']);
    expect(service.requests.length).toBe(before);
  });

  it('records a phone call: keys as keys, a PIN as digits the bot accepts, and the call that starts by itself', async () => {
    const service = await startStandIn();
    services.push(service);
    service.on('POST /pin', { json: { token: 'tok-phone-771', user: 'Alan' } });
    const dir = await mkdtemp(join(tmpdir(), 'parley-record-phone-'));
    const botFile = join(dir, 'phone.json');
    await writeFile(
      botFile,
      JSON.stringify({
        format: 1,
        id: 'phone',
        name: 'Phone',
        start: 'main',
        authTokens: {
          pin: { url: `${service.url}/pin`, validation: 'number', questions: [{ ask: 'Account?', field: 'account' }, { ask: 'PIN?', field: 'pin', secret: true }], ttl: 60, tokenPath: 'token', accountPath: 'user' },
        },
        scripts: { main: { steps: [{ type: 'message', text: 'Hello.' }, { type: 'authToken', token: 'pin' }, { type: 'end', text: 'Hi {account}.' }] } },
      }),
    );
    const { bot } = await loadBotFile(botFile);
    if (bot === undefined) throw new Error('the phone bot does not load');
    const recording = startRecording({ bot, channel: 'phone', user: '+15550100009', secrets: {}, now: Date.parse('2026-12-01T10:00:00Z') });
    const engine = createEngine({ bot, store: createMemoryStore(), outbound: recording.outbound(networkOutbound({ allowPrivate: true })) });
    const user = { id: '+15550100009', channel: 'phone' as const, via: 'twilio' as const, phone: '+15550100009' };
    const conversation = 'phone:call-1';
    recording.turn(undefined, await runTurn(engine, { user, conversation }));
    for (const keys of ['10002#', '7391#']) recording.turn(keys, await runTurn(engine, { user, conversation, input: { text: keys, keypad: true } }));
    await engine.store.close();

    const file = join(dir, 'phone.test.json');
    await writeFile(file, recording.testFile(file));
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('7391');
    expect(text).not.toContain('tok-phone-771');
    const test = JSON.parse(text) as { turns: object[] };
    expect(test.turns).toEqual([
      { bot: 'Hello.' },
      { bot: 'Account? Then press the pound key.' },
      { keys: '10002#' },
      { bot: 'PIN? Then press the pound key.' },
      { keys: '0000' },
      { call: { method: 'POST', url: `${service.url}/pin`, json: { account: '10002', pin: '0000' } } },
      { bot: 'Hi Alan.' },
      { ended: true },
    ]);
    const report = await runTests([file]);
    expect(report.results.map((r) => r.failure ?? 'passed')).toEqual(['passed']);
  });
});
