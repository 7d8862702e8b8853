// Starts one throwaway redis-server for the whole test run, on a free loopback port, with
// nothing persisted; test files reach it through inject('redisUrl') (see ./redis.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopChild } from './stop-child.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

const READY_WITHIN_MS = 10_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binary = findOnPath('redis-server');
  if (binary === undefined) {
    throw new Error('redis-server is not on PATH; the store tests need it: run `apt-get install -y redis-server`');
  }
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Kept for the error message, and read so a chatty server never blocks on a full pipe.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  try {
    await untilAnswers(port, child, () => output);
  } catch (error) {
    // A setup that throws gets no teardown: stop the server here or it outlives the run.
    await stopChild(child);
    throw error;
  }

  const url = `redis://127.0.0.1:${port}`;
  project.provide('redisUrl', url);
  // For tests that start the CLI or the server as a child process.
  process.env.PARLEY_TEST_REDIS_URL = url;

  return async () => {
    await stopChild(child);
  };
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

async function untilAnswers(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  child.once('error', (error) => {
    exited = `could not start: ${error.message}`;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`redis-server ${exited}\n${output()}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${READY_WITHIN_MS} ms\n${output()}`);
}

// A bare socket rather than ioredis: it answers exactly "is the server up now", with none of
// the client's reconnecting and queueing in between.
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
