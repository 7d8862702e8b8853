// A throwaway redis-server for one benchmark run: a free loopback port, nothing persisted
// (unless `appendOnlyDir` is given, for a restart that keeps the data), stopped by its PID.
// A start that fails stops the child before it throws.
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  child: ChildProcess;
}

const READY_WITHIN_MS = 10_000;

export interface RedisServerOptions {
  /** Keep every write in an append-only file in this directory: a restart there finds the data again. */
  appendOnlyDir?: string;
}

/** On `port` (a restart on the same address), else on a free one. */
export async function startRedisServer(port?: number, options: RedisServerOptions = {}): Promise<RedisServer> {
  port ??= await freePort();
  const persistence = options.appendOnlyDir === undefined ? ['--appendonly', 'no', '--dir', tmpdir()] : ['--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', options.appendOnlyDir];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not start (${error.message}); install it: apt-get install -y redis-server`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output.trim()}`)));
  });
  failed.catch(() => undefined);
  try {
    await Promise.race([untilAnswers(port), failed]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid!, stop: () => stopChild(child), child };
}

async function untilAnswers(port: number): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (await pings(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within ${READY_WITHIN_MS / 1000} s`);
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 3 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
