// Requests per second and latency of signed POST /twilio/sms, for Parley's server and for the
// bare handler, each in its own child process so the load generator (autocannon, here) never
// shares their event loop. Every request is signed as Twilio signs it (HMAC-SHA1 over the
// exact URL and every field), comes from one of `users` numbers in turn and has its own
// MessageSid, so sessions are many and no request is a retry of another.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { freePort } from './ports.js';
import { stopChild } from './redis-server.js';

export type WebhookTarget = 'parley' | 'bare';

export interface WebhookOptions {
  redisUrl: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  users: number;
  /** The bot file the Parley server runs. */
  botFile: string;
}

export interface WebhookResult {
  target: WebhookTarget;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers, errors and time-outs: a valid run has none. */
  failures: number;
  /** Cores busy during the measured run (1 = one core all the time): the server's and autocannon's. */
  serverCpu: number;
  generatorCpu: number;
  /** Redis commands the server sent per request (INFO commandstats over the measured run). */
  redisCommandsPerRequest: number;
}

const authToken = 'bench-auth-token-0123456789abcdef';
const path = '/twilio/sms';
const root = join(import.meta.dirname, '..');
const childEntry = join(import.meta.dirname, 'server-child.ts');

export async function measureWebhook(target: WebhookTarget, options: WebhookOptions): Promise<WebhookResult> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The server's log goes to a file, as it would go to a collector: not through this process.
  const logFile = join(tmpdir(), `parley-bench-${target}-${process.pid}.log`);
  const log = openSync(logFile, 'w');
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`];
  // Parley as operators run it: the compiled CLI (`node bin/parley.js serve`, dist/). The bare
  // handler is a few lines of express, run through tsx (which costs only at load time).
  const argv = target === 'parley' ? [join(root, 'bin', 'parley.js'), 'serve', options.botFile] : ['--import', 'tsx', childEntry, target];
  const { PARLEY_DEV: _development, ...inherited } = process.env;
  const child = spawn(process.execPath, [...profile, ...argv], {
    cwd: root,
    env: {
      ...inherited,
      NODE_ENV: 'production',
      PORT: String(port),
      BENCH_PORT: String(port),
      BENCH_BOT_FILE: options.botFile,
      PUBLIC_URL: origin,
      REDIS_URL: options.redisUrl,
      TWILIO_AUTH_TOKEN: authToken,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    },
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    if (target === 'parley') await untilHealthy(child, origin);
    else await untilReady(child, target);
    await checkAnswer(origin, target);
    const sign = signer(origin, options.users);
    const load = (seconds: number) =>
      autocannon({
        url: origin,
        connections: options.connections,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path,
            setupRequest: (request) => {
              const { body, signature } = sign();
              return { ...request, body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } };
            },
          },
        ],
      });
    await load(options.warmupSeconds);
    await redis.call('CONFIG', 'RESETSTAT');
    const generatorBefore = process.cpuUsage();
    const serverBefore = cpuSecondsOf(child.pid!);
    const result = await load(options.durationSeconds);
    const generator = process.cpuUsage(generatorBefore);
    return {
      ...summarize(target, result),
      serverCpu: (cpuSecondsOf(child.pid!) - serverBefore) / result.duration,
      generatorCpu: (generator.user + generator.system) / 1e6 / result.duration,
      redisCommandsPerRequest: commandCount(await redis.info('commandstats')) / (result['2xx'] + result.non2xx),
    };
  } finally {
    redis.disconnect();
    await stopChild(child);
    rmSync(logFile, { force: true });
  }
}

/** Calls of every command but INFO itself, from INFO commandstats. */
function commandCount(stats: string): number {
  let calls = 0;
  for (const match of stats.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) if (match[1] !== 'info') calls += Number(match[2]);
  return calls;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / clockTicksPerSecond;
}
// sysconf(_SC_CLK_TCK): 100 on every Linux this runs on.
const clockTicksPerSecond = 100;

function summarize(target: WebhookTarget, result: Result): Omit<WebhookResult, 'serverCpu' | 'generatorCpu' | 'redisCommandsPerRequest'> {
  return {
    target,
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result['2xx'] + result.non2xx,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** The next request's body and signature: users in turn, every MessageSid new. */
function signer(origin: string, users: number): () => SignedRequest {
  let sent = 0;
  // Twilio's ids are SM and 32 hex digits; a tag per run keeps them unique across runs.
  const run = randomBytes(4).toString('hex');
  return () => {
    const n = sent++;
    return signed(origin, `+1555${String(n % users).padStart(7, '0')}`, `SM${run}${String(n).padStart(24, '0')}`);
  };
}

interface SignedRequest {
  body: string;
  signature: string;
}

function signed(origin: string, from: string, sid: string): SignedRequest {
  // The fields Twilio posts for an inbound SMS, in its order.
  const fields: Record<string, string> = {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: 'SAN FRANCISCO',
    FromZip: '94105',
    SmsSid: sid,
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: '36',
    FromCountry: 'US',
    To: '+15550009999',
    ToZip: '94107',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: 'AC00000000000000000000000000000000',
    From: from,
    ApiVersion: '2010-04-01',
  };
  return { body: new URLSearchParams(fields).toString(), signature: twilio.getExpectedTwilioSignature(authToken, origin + path, fields) };
}

/** One request, from a new user, before the load: the server must answer TwiML, not an error page. */
async function checkAnswer(origin: string, target: WebhookTarget): Promise<void> {
  const id = randomBytes(16).toString('hex');
  const request = signed(origin, `+1666${String(parseInt(id.slice(0, 8), 16) % 1e7).padStart(7, '0')}`, `SM${id}`);
  const response = await fetch(origin + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': request.signature },
    body: request.body,
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('What is your name?')) {
    throw new Error(`the ${target} server answered ${response.status} ${text.slice(0, 300)}`);
  }
}

const READY_WITHIN_MS = 30_000;

/** Waits until the server answers GET /healthz with 200; fails if it exits or takes too long. */
async function untilHealthy(child: ChildProcess, origin: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the parley server exited with ${child.exitCode}: ${stderr}`);
    if (await fetch(`${origin}/healthz`).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error(`the parley server did not start within ${READY_WITHIN_MS / 1000} s: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the child's "ready" line on stderr; fails with it if the child exits or takes too long. */
function untilReady(child: ChildProcess, target: WebhookTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the ${target} server did not start within ${READY_WITHIN_MS / 1000} s: ${output}`)), READY_WITHIN_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${target} server exited with ${code}: ${output}`));
    });
  });
}
