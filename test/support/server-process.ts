// Real server processes (test/server/serve-entry.ts: startServer from the environment), for the
// tests that need several instances on one Redis or a process to stop. Each is stopped by its
// pid after the test, whatever happened.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { authToken } from '../server/support.js';
import { testRedisUrl } from './redis.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  url: string;
  /** What Twilio signs (PUBLIC_URL is not set, so the server's own address). */
  publicUrl: string;
  pid: number;
  /** Resolves with the exit code (or the signal's name) when the process has exited. */
  exited: Promise<number | string>;
  /** What the process wrote on standard error (its log lines, with LOG_LEVEL set, go to standard output). */
  stderr(): string;
}

/** Writes `bot` to a file of its own and returns its path. */
export function botFile(bot: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-serve-'));
  const path = join(dir, 'bot.json');
  writeFileSync(path, JSON.stringify(bot));
  return path;
}

/** Starts server processes on the test Redis; every one still running is stopped after each test. */
export function serverProcesses(): (botPath: string, env?: NodeJS.ProcessEnv) => Promise<ServerProcess> {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(
      children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  });
  return (botPath, env = {}) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/server/serve-entry.ts')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        BOT_FILE: botPath,
        REDIS_URL: testRedisUrl(),
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
        TWILIO_AUTH_TOKEN: authToken,
        ALLOW_PRIVATE_NETWORKS: 'true',
        LOG_LEVEL: 'error',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    let seen = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no READY line within 20 s:\n${seen}`)), 20_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        const ready = /READY (\{.*\})\n/.exec(seen);
        if (ready?.[1] !== undefined) {
          clearTimeout(timer);
          const { port } = JSON.parse(ready[1]) as { port: number };
          resolve({ url: `http://127.0.0.1:${port}`, publicUrl: `http://localhost:${port}`, pid: child.pid!, exited, stderr: () => seen });
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${code}:\n${seen}`));
      });
    });
  };
}
