// The executable as authors and CI use it: real processes, real files, exit codes and output.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { standIns } from '../support/engine-on-redis.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function parley(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [join(root, 'bin', 'parley.js'), ...args], { cwd: root, timeout: 30_000, env: { ...process.env, REDIS_URL: '', ...env } });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('parley validate', () => {
  it('checks every bot of a folder, and skips the JSON Schema that sits among them', async () => {
    for (const args of [['scripts'], ['scripts/bot.schema.json', 'scripts/demo.json']]) {
      const result = await parley(['validate', ...args]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('scripts/bot.schema.json: a JSON Schema, not a bot: skipped');
      expect(result.stdout).toContain('scripts/demo.json: ok');
    }
    expect((await parley(['validate', 'scripts'])).stdout).toContain('scripts/phone-bank.json: ok');
  });

  it('exits 0 for the example bots', async () => {
    const result = await parley(['validate', 'scripts/demo.json', 'scripts/pizza.json', 'scripts/phone-bank.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('scripts/demo.json: ok\nscripts/pizza.json: ok\nscripts/phone-bank.json: ok\n');
  });

  it('exits 1 and prints FILE:LINE:COL: message (pointer) for each error', async () => {
    const result = await parley(['validate', 'test/fixtures/bots/missing-comma.json', 'test/fixtures/bots/unknown-goto-target.json']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('test/fixtures/bots/missing-comma.json:5:3: expected a comma or }: add a comma at the end of line 4 (/start)');
    expect(lines[1]).toMatch(/^test\/fixtures\/bots\/unknown-goto-target\.json:10:35: goto names step "confirm", .* \(\/scripts\/main\/steps\/1\/step\)$/);
  });

  it('exits 0 when a bot has only warnings, and prints them', async () => {
    const result = await parley(['validate', 'test/fixtures/bots/unreachable-step.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^test\/fixtures\/bots\/unreachable-step\.json:11:9: warning: this step never runs/);
  });
});

describe('parley schema', () => {
  it('prints the JSON Schema that scripts/bot.schema.json holds', async () => {
    const result = await parley(['schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['format', 'id', 'start', 'scripts', 'authTokens']));
    // Editors read the checked-in copy through "$schema": it must not drift from the code.
    expect(await readFile(join(root, 'scripts', 'bot.schema.json'), 'utf8')).toBe(result.stdout);
  });
});

describe('parley chat', () => {
  it('reads one message per line from a pipe and prints each bot message on its own line', async () => {
    const result = await parley(['chat', 'scripts/pizza.json', '--channel', 'whatsapp'], 'hi\n1\n2\nno\n1234\n');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      "Ciao! Let's get you a pizza.",
      'Which size? [Small] [Large] [Just looking]',
      'How many?',
      'Delivery? (yes or no)',
      'Your order: 2 small pizza(s). Type your 4-digit table or door code to confirm.',
      'Thank you! 2 small pizza(s) on the way.',
      '',
    ]);
  });

  it('speaks first on the phone and reads keypad digits', async () => {
    const result = await parley(['chat', 'scripts/phone-bank.json', '--channel', 'phone', '--demo-services'], '10001#\n1815#\n3\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Welcome to ACME Bank telephone banking.\nPlease enter your account number. Then press the pound key.\nNow enter your PIN.');
    expect(result.stdout).toContain('You are signed out. Goodbye.\n(the call ends)\n');
  });

  it('starts the demo services only when asked: a bot called "demo" does not open loopback by its id', async () => {
    const asked = await parley(['chat', 'scripts/demo.json', '--demo-services'], 'hi\nada\nlovelace\n');
    expect(asked.stdout).toContain('Hi Ada Lovelace, your balance is 1234.56 USD.');
    const notAsked = await parley(['chat', 'scripts/demo.json'], 'hi\nada\nlovelace\n');
    expect(notAsked.stdout).toContain("Sorry, I couldn't check your details just now.");
    expect(notAsked.stdout).not.toContain('balance is');
  });

  it('exits quietly when its reader stops early, as `| head -1` does', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(root, 'bin', 'parley.js'), 'chat', 'scripts/pizza.json'], { cwd: root, env: { ...process.env, REDIS_URL: '' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // Read the first answer, then close our end of the pipe, as head does, and go on typing.
    const first = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdin.write('hi\n');
    await first;
    child.stdout.destroy();
    child.stdin.write('1\n2\nno\n');
    child.stdin.end('1234\nhi\n');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|at /);
  });

  it('refuses a bot with errors, naming the way to list them', async () => {
    const result = await parley(['chat', 'test/fixtures/bots/unknown-start.json'], '');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('parley validate test/fixtures/bots/unknown-start.json');
  });

  it('refuses an unknown channel', async () => {
    const result = await parley(['chat', 'scripts/pizza.json', '--channel', 'fax'], '');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('choose one of sms, whatsapp, messenger, phone, web');
  });
});

describe('parley chat: what the author sees on standard error', () => {
  const startStandIn = standIns();
  const noPrivate = { ALLOW_PRIVATE_NETWORKS: undefined };

  /** The demo bot copied and renamed, as an author starts their own: its calls go to 127.0.0.1:4010. */
  async function copiedDemo(): Promise<string> {
    const bot = JSON.parse(await readFile(join(root, 'scripts', 'demo.json'), 'utf8')) as Record<string, unknown>;
    const path = join(await mkdtemp(join(tmpdir(), 'parley-my-bank-')), 'my-bank.bot.json');
    await writeFile(path, JSON.stringify({ ...bot, id: 'my-bank', $schema: undefined }, null, 2));
    return path;
  }

  it('shows a refused call and the setting that opens it, and --quiet hides it', async () => {
    const bot = await copiedDemo();
    const result = await parley(['chat', bot], 'hi\nada\nlovelace\n', noPrivate);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Sorry, I couldn't check your details just now.");
    expect(result.stderr).toMatch(/^call {2}POST http:\/\/127\.0\.0\.1:4010\/login → blocked-address, \d+ ms \(sign-in "acme-login"\)$/m);
    expect(result.stderr).toContain('blocked-address: 127.0.0.1 is a loopback address; set ALLOW_PRIVATE_NETWORKS=true for local services');
    expect(result.stderr).toContain('after 3 tries the step takes its onFailure way');
    expect(result.stderr).not.toContain('lovelace');

    const quiet = await parley(['chat', bot, '--quiet'], 'hi\nada\nlovelace\n', noPrivate);
    expect(quiet.stdout).toBe(result.stdout);
    expect(quiet.stderr).toBe('');
  });

  it('shows every call with its status and time, masks tokens, secret answers and secrets, and says which way a failure goes', async () => {
    const token = 'tok-7c1f-9a2e-secret';
    const password = 'pw-lovelace-5d3b';
    const apiKey = 'key-0f9e-8d7c';
    const service = await startStandIn();
    service.on('GET /login', { json: { access_token: token, user: { name: 'Ada' } } });
    service.on('GET /balance', { json: { balance: 12.5 } });
    service.on('GET /history', { status: 503, text: 'down for maintenance' });
    const path = join(await mkdtemp(join(tmpdir(), 'parley-calls-')), 'calls.bot.json');
    await writeFile(
      path,
      JSON.stringify({
        format: 1,
        id: 'calls',
        name: 'Calls',
        start: 'main',
        authTokens: {
          login: {
            method: 'GET',
            url: `${service.url}/login`,
            questions: [
              { ask: 'Username?', field: 'username' },
              { ask: 'Password?', field: 'password', secret: true },
            ],
            ttl: 600,
            tokenPath: 'access_token',
          },
        },
        scripts: {
          main: {
            steps: [
              { type: 'authToken', token: 'login' },
              { type: 'webService', url: `${service.url}/balance?access={authtoken}&key={secret.API_KEY}`, headers: { Authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
              { type: 'webService', url: `${service.url}/history?access={authtoken}`, onError: 'down' },
              { type: 'end', text: 'Balance {balance}.' },
              { id: 'down', type: 'end', text: 'History is down; balance {balance}.' },
            ],
          },
        },
      }),
    );
    const result = await parley(['chat', path], `hi\nada\n${password}\n`, { ALLOW_PRIVATE_NETWORKS: 'true', BOT_SECRET_API_KEY: apiKey });
    expect(result.stdout).toContain('History is down; balance 12.5.');
    const base = service.url.replace(/\./g, '\\.');
    expect(result.stderr).toMatch(new RegExp(`^call {2}GET ${base}/login\\?username=ada&password=\\*\\*\\* → 200, \\d+ ms \\(sign-in "login"\\)$`, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^call {2}GET ${base}/balance\\?access=\\*\\*\\*&key=\\*\\*\\* → 200, \\d+ ms \\(webService step main#1\\)$`, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^call {2}GET ${base}/history\\?access=\\*\\*\\* → 503, \\d+ ms \\(webService step main#2\\)$`, 'm'));
    expect(result.stderr).toContain('the API answered 503');
    expect(result.stderr).toContain('the step takes its onError way to "down"');
    // The calls carried them; the author's terminal does not.
    expect(service.to('GET /balance')[0]?.query).toEqual({ access: token, key: apiKey });
    for (const secret of [token, password, apiKey]) expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toContain('maintenance');
  });

  it('tells a sign-in answer without a token at tokenPath as a warning', async () => {
    const service = await startStandIn();
    service.on('POST /login', { json: { access_token: 'tok-9f8e' } });
    const path = join(await mkdtemp(join(tmpdir(), 'parley-token-path-')), 'token-path.bot.json');
    await writeFile(
      path,
      JSON.stringify({
        format: 1,
        id: 'token-path',
        name: 'Token path',
        start: 'main',
        authTokens: { login: { url: `${service.url}/login`, questions: [{ ask: 'PIN?', field: 'pin', secret: true }], ttl: 600, tokenPath: 'token', maxAttempts: 1 } },
        scripts: { main: { steps: [{ type: 'authToken', token: 'login', onFailure: 'no' }, { type: 'end', text: 'In.' }, { id: 'no', type: 'end', text: 'Not in.' }] } },
      }),
    );
    const result = await parley(['chat', path], 'hi\n4321\n', { ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(result.stdout).toContain('Not in.');
    expect(result.stderr).toMatch(/^call {2}POST http:\/\/127\.0\.0\.1:\d+\/login → 200, \d+ ms \(sign-in "login"\)\nwarning: the auth service answered 200 with no token at tokenPath "token": the try counts as refused \(auth token "login"\)$/m);
    expect(result.stderr).not.toContain('4321');
    expect(result.stderr).not.toContain('tok-9f8e');
  });
});

describe('parley demo', () => {
  it('signs in, calls the API with the token, and asks nothing in the next conversation, masking the password', async () => {
    const result = await parley(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  you> ada\n  bot> And your password?\n  you> ••••••••\n  bot> Hi Ada Lovelace, your balance is 1234.56 USD.');
    expect(result.stdout).toContain('  you> hello again\n  bot> Welcome to ACME Bank.\n  bot> Hi Ada Lovelace, your balance is 1234.56 USD.');
    expect(result.stdout).not.toContain('lovelace\n');
  });
});
