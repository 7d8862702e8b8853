// The server under load, in a process of its own: `node --import tsx bench/server-child.ts
// parley|bare`. Settings come from the environment: BENCH_PORT, BENCH_BOT_FILE and what `parley
// serve` reads (REDIS_URL, TWILIO_AUTH_TOKEN, PUBLIC_URL…). Standard output carries the server's
// log, as in a deployment; "ready" goes to standard error once it listens. Stops on SIGTERM.
import { startServer } from '../src/server/start-server.js';
import { startBareHandler, type RunningServer } from './bare-handler.js';

const target = process.argv[2];
const port = Number(process.env.BENCH_PORT);
const need = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

let server: RunningServer;
if (target === 'bare') {
  server = await startBareHandler({ port, redisUrl: need('REDIS_URL'), authToken: need('TWILIO_AUTH_TOKEN'), publicUrl: need('PUBLIC_URL') });
} else if (target === 'parley') {
  const deadline = process.env.BENCH_DEADLINE_MS;
  server = await startServer({ botFile: need('BENCH_BOT_FILE'), port, host: '127.0.0.1', env: process.env, ...(deadline ? { deadlineMs: Number(deadline) } : {}) });
} else {
  throw new Error(`usage: server-child.ts parley|bare (not ${String(target)})`);
}
process.stderr.write('ready\n');
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
