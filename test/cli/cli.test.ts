// The executable as authors and CI use it: real processes, real files, exit codes and output.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function parley(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [join(root, 'bin', 'parley.js'), ...args], { cwd: root, timeout: 30_000, env: { ...process.env, REDIS_URL: '' } });
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

describe('parley demo', () => {
  it('signs in, calls the API with the token, and asks nothing in the next conversation, masking the password', async () => {
    const result = await parley(['demo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  you> ada\n  bot> And your password?\n  you> ••••••••\n  bot> Hi Ada Lovelace, your balance is 1234.56 USD.');
    expect(result.stdout).toContain('  you> hello again\n  bot> Welcome to ACME Bank.\n  bot> Hi Ada Lovelace, your balance is 1234.56 USD.');
    expect(result.stdout).not.toContain('lovelace\n');
  });
});
