// The built CLI as an operator runs it: `node tools/build.mjs` (what `npm run build` runs) into a
// folder of its own, laid out as the image lays it out (bin/, dist/, scripts/, package.json,
// node_modules; no TypeScript sources, so nothing can fall back to tsx), then the CLI's
// commands, and `serve` on a read-only file system answering a signed Twilio webhook.
//
// Read-only: where this process may make a mount namespace of its own (root here), the server
// runs in one where `/` is remounted read-only, so /tmp, the working folder and the build are all
// read-only, as in a container with `read_only: true`. Elsewhere TMPDIR names a file, so nothing
// can be written under it (the closest an unprivileged run gets).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopChild } from '../support/stop-child.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const authToken = 'built-cli-auth-token';
let app = '';

/** The environment of a user's shell: no PARLEY_DEV (vitest sets it for the other tests). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  return env;
}

/** Runs `argv` with the whole file system read-only, when this process may arrange that. */
const readOnlyRoot = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -o remount,bind,ro / && exec "$0" "$@"'];
const canMakeReadOnly = spawnSync(readOnlyRoot[0]!, [...readOnlyRoot.slice(1), 'true'], { stdio: 'ignore' }).status === 0;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'parley-built-'));
  const built = spawnSync(process.execPath, [join(root, 'tools/build.mjs'), '--outdir', join(app, 'dist')], { cwd: root, encoding: 'utf8' });
  expect(built.stdout + built.stderr).toBe('');
  expect(built.status).toBe(0);
  mkdirSync(join(app, 'bin'));
  cpSync(join(root, 'bin/parley.js'), join(app, 'bin/parley.js'));
  cpSync(join(root, 'scripts'), join(app, 'scripts'), { recursive: true });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
}, 120_000);

afterAll(() => {
  if (app !== '') rmSync(app, { recursive: true, force: true });
});

describe('the compiled build', () => {
  it('validates a bot, with no sources to fall back on', () => {
    const run = spawnSync(process.execPath, [join(app, 'bin/parley.js'), 'validate', 'scripts/pizza.json'], { cwd: app, env: userEnv(), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('scripts/pizza.json: ok\n');
    expect(run.status).toBe(0);
  });

  it('chats through a pipe (the command loads the console on demand)', () => {
    const run = spawnSync(process.execPath, [join(app, 'bin/parley.js'), 'chat', 'scripts/pizza.json'], { cwd: app, env: userEnv(), input: 'hi\n', encoding: 'utf8' });
    expect(run.stdout).toContain("Ciao! Let's get you a pizza.");
    expect(run.status).toBe(0);
  });

  it('prints the JSON Schema', () => {
    const run = spawnSync(process.execPath, [join(app, 'bin/parley.js'), 'schema'], { cwd: app, env: userEnv(), encoding: 'utf8' });
    expect(JSON.parse(run.stdout)).toHaveProperty('properties.scripts');
  });

  it('runs the demo services as a process of their own (the compose file\'s demo container)', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(app, 'dist/src/demo/main.js')], { cwd: app, env: userEnv({ DEMO_PORT: String(port), DEMO_HOST: '127.0.0.1' }) });
    try {
      await until(async () => (await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"ada","password":"lovelace"}' }).catch(() => undefined))?.status === 200, 20_000, () => '');
    } finally {
      await stopChild(child);
    }
  });

  it.runIf(canMakeReadOnly)('the read-only wrapper really makes /tmp and the build read-only', () => {
    for (const target of [join(tmpdir(), 'parley-ro-probe'), join(app, 'probe')]) {
      const run = spawnSync(readOnlyRoot[0]!, [...readOnlyRoot.slice(1), 'touch', target], { encoding: 'utf8' });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('Read-only file system');
    }
  });

  it(`serves on a read-only file system (${canMakeReadOnly ? 'read-only root and /tmp' : 'TMPDIR not writable'}), answers a signed webhook and stops on SIGTERM`, async () => {
    const port = await freePort();
    const env = userEnv({
      PORT: String(port),
      BOT_FILE: 'scripts/pizza.json',
      TWILIO_AUTH_TOKEN: authToken,
      LOG_LEVEL: 'info',
      TMPDIR: canMakeReadOnly ? '/tmp' : notADirectory(),
    });
    const argv = [process.execPath, join(app, 'bin/parley.js'), 'serve'];
    const child = canMakeReadOnly ? spawn(readOnlyRoot[0]!, [...readOnlyRoot.slice(1), ...argv], { cwd: app, env }) : spawn(argv[0]!, argv.slice(1), { cwd: app, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      await until(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200, 30_000, () => output);
      const fields = { From: '+15550109999', To: '+15550100000', Body: 'hi', MessageSid: `SM${'a'.repeat(32)}`, AccountSid: `AC${'0'.repeat(32)}` };
      const response = await fetch(`${base}/twilio/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, `http://localhost:${port}/twilio/sms`, fields) },
        body: new URLSearchParams(fields).toString(),
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<Message>Ciao! Let's get you a pizza.</Message>");
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Nothing went wrong on the way: no error or fatal line.
      expect(output).not.toMatch(/"level":(50|60)/);
    } finally {
      await stopChild(child);
    }
  }, 60_000);
});

function notADirectory(): string {
  const file = join(app, 'not-a-directory');
  writeFileSync(file, '');
  return file;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(check: () => Promise<boolean>, withinMs: number, seen: () => string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not ready within ${withinMs} ms:\n${seen()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
