// The server under load, in a process of its own: `node --import tsx bench/server-child.ts
// parley|bare`. Settings come from the environment (BENCH_PORT, REDIS_URL, TWILIO_AUTH_TOKEN,
// PUBLIC_URL, BENCH_BOT_FILE); it prints "ready" once it listens and stops on SIGTERM.
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
} else {
  throw new Error(`usage: server-child.ts parley|bare (not ${String(target)})`);
}
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
