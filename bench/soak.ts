// `npm run soak [-- --conversations N --concurrency C --seed S]`: two server processes on one
// Redis play the demo bank bot to N SMS conversations (N/2 users, each signing in and reading
// the balance, then reading it again with the cached token) while, in the middle, Redis stalls
// (SIGSTOP for 3 s), one instance is stopped (SIGTERM, turns held past its grace) and started
// again, and Redis is stopped and restarted (its append-only file keeps the data). 5% of the
// webhooks are sent twice. Prints what users got and exits non-zero on any reply lost or
// doubled, any 5xx, any reply no script explains. Loopback only; every process it starts is
// stopped by its pid, on error and Ctrl-C too.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { startDemoServices, type DemoServices } from '../src/demo/demo-services.js';
import { demoBotText } from './demo-bot.js';
import { freePort } from './ports.js';
import { startRedisServer, stopChild, type RedisServer } from './redis-server.js';
import { startSlowFront, startTwilioStandIn, type LateMessage, type SlowFront, type TwilioStandIn } from './soak-stand-ins.js';
import { createInbox, endsConversation, expectedReplies, isSendAgain, isTerminal, judge, judgeStrays, nextStep, textFor, type Inbox, type Step, type Username, type Verdict } from './soak-user.js';
import { percentile } from './stats.js';

const root = join(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '40' },
    seed: { type: 'string' },
  },
});
const conversations = positive('conversations', args.conversations);
const concurrency = positive('concurrency', args.concurrency);
const seed = args.seed === undefined ? randomBytes(4).readUInt32LE() : positive('seed', args.seed);
const users = Math.ceil(conversations / 2);

const authToken = 'soak-auth-token-0123456789abcdef';
const accountSid = 'AC0000000000000000000000000000500a';
const ourNumber = '+15550009999';
// Both instances sit behind one address, as behind a load balancer: Twilio signs that one, so a
// retry signed for it verifies on either instance.
const publicUrl = 'https://parley.soak.test';
const smsPath = '/twilio/sms';
const tokenKey = randomBytes(32).toString('base64');

const duplicateShare = 0.05;
const deadlineMs = 1_000;
const graceSeconds = 5;
// One /balance call in 10 takes 1.5 s: past the 1 s deadline, so its reply goes out late.
const lateEvery = 10;
const lateMs = 1_500;
// Just before the SIGTERM, /balance calls take 8 s: past the 5 s grace.
const pastGraceMs = 8_000;
const replyWithinMs = 20_000;
const webhookTimeoutMs = 15_000;
const stallMs = 3_000;
const redisDownMs = 3_000;
const runLimitMs = 10 * 60_000;

// ---------------------------------------------------------------------------------------------
// Processes: every child is remembered until it exits, and stopped by its pid on the way out.

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGCONT');
    await Promise.all([...children].map((child) => stopChild(child)));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  })();
  return cleaning;
}

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  process.stderr.write('\ninterrupted: stopping every process this run started\n');
  void cleanUp().finally(() => process.exit(130));
});

function own(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

interface Instance {
  name: string;
  port: number;
  url: string;
  child?: ChildProcess;
  /** What a load balancer's health check says: traffic goes only to instances that are up. */
  up: boolean;
}

interface Environment {
  redis: RedisServer;
  redisDir: string;
  botFile: string;
  twilioApi: TwilioStandIn;
  logDir: string;
}

async function startInstance(instance: Instance, env: Environment): Promise<void> {
  const log = openSync(join(env.logDir, `instance-${instance.name}.log`), 'a');
  const child = own(
    spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'server-child.ts'), 'parley'], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        BENCH_PORT: String(instance.port),
        BENCH_BOT_FILE: env.botFile,
        BENCH_DEADLINE_MS: String(deadlineMs),
        REDIS_URL: env.redis.url,
        PUBLIC_URL: publicUrl,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_API_URL: env.twilioApi.url,
        TOKEN_ENCRYPTION_KEY: tokenKey,
        ALLOW_PRIVATE_NETWORKS: 'true',
        SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
      },
      stdio: ['ignore', log, 'pipe'],
    }),
  );
  closeSync(log);
  instance.child = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${instance.name} did not start within 60 s: ${output}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`instance ${instance.name} exited with ${code ?? signal}: ${output}`));
    });
  });
  instance.up = true;
}

// ---------------------------------------------------------------------------------------------
// Traffic: signed webhooks to the instances that are up, as Twilio and a load balancer send them.

const random = mulberry32(seed);
const runTag = randomBytes(4).toString('hex');
let sidCounter = 0;

interface Tally {
  messages: number;
  sendAgain: { trouble: number; interrupted: number };
  duplicates: number;
  duplicatesToOther: number;
  /** Duplicates answered with replies the first delivery sent late (a retry's answer, read after the turn finished). */
  duplicatesRepeatingLate: number;
  /** Requests a load balancer would send to the other instance: the connection failed before an answer. */
  rerouted: number;
  status5xx: number;
  statusOther: number;
  timeouts: number;
  latencies: number[];
  completed: number;
  lost: number;
  doubled: number;
  outOfOrder: number;
  unexpected: number;
  /** Primary MessageSids of the messages that may call /login, and /balance. */
  loginSids: number;
  balanceSids: number;
  examples: string[];
  /** Every message's outcome, for what each fault did to the users who wrote during it. */
  events: Array<{ at: number; kind: Verdict['kind']; phrase?: 'trouble' | 'interrupted'; waitMs: number }>;
}

const tally: Tally = {
  messages: 0,
  sendAgain: { trouble: 0, interrupted: 0 },
  duplicates: 0,
  duplicatesToOther: 0,
  duplicatesRepeatingLate: 0,
  rerouted: 0,
  status5xx: 0,
  statusOther: 0,
  timeouts: 0,
  latencies: [],
  completed: 0,
  lost: 0,
  doubled: 0,
  outOfOrder: 0,
  unexpected: 0,
  loginSids: 0,
  balanceSids: 0,
  examples: [],
  events: [],
};

interface Signed {
  body: string;
  signature: string;
}

function signedMessage(phone: string, text: string, sid: string): Signed {
  const fields: Record<string, string> = {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: text,
    To: ourNumber,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: accountSid,
    From: phone,
    ApiVersion: '2010-04-01',
  };
  return { body: new URLSearchParams(fields).toString(), signature: twilio.getExpectedTwilioSignature(authToken, publicUrl + smsPath, fields) };
}

/** The TwiML <Message> texts of one webhook answer; empty when it failed. */
async function post(instances: Instance[], target: Instance, request: Signed): Promise<string[]> {
  for (let attempt = 0; ; attempt += 1) {
    const started = performance.now();
    try {
      const response = await fetch(target.url + smsPath, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': request.signature },
        body: request.body,
        signal: AbortSignal.timeout(webhookTimeoutMs),
      });
      const text = await response.text();
      tally.latencies.push(performance.now() - started);
      if (response.status >= 500) {
        tally.status5xx += 1;
        example(`${response.status} from instance ${target.name}: ${text.slice(0, 200)}`);
        return [];
      }
      if (response.status !== 200) {
        tally.statusOther += 1;
        example(`${response.status} from instance ${target.name}: ${text.slice(0, 200)}`);
        return [];
      }
      return [...text.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((match) => unescapeXml(match[1] ?? ''));
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        tally.timeouts += 1;
        return [];
      }
      // Refused or reset before an answer: a load balancer sends it to another instance.
      if (attempt >= 20) throw error;
      tally.rerouted += 1;
      await sleep(100);
      target = pickInstance(instances, target);
    }
  }
}

function pickInstance(instances: Instance[], avoid?: Instance): Instance {
  const up = instances.filter((instance) => instance.up);
  const others = up.filter((instance) => instance !== avoid);
  const choices = others.length > 0 ? others : up.length > 0 ? up : instances;
  return choices[Math.floor(random() * choices.length)]!;
}

/**
 * One message, sent as Twilio sends it; 5% are sent a second time, with the same MessageSid and
 * signature, half of those to the other instance. Returns both answers.
 */
async function deliver(instances: Instance[], phone: string, text: string): Promise<{ sid: string; first: string[]; second?: string[] }> {
  const sid = `SM${runTag}${String((sidCounter += 1)).padStart(24, '0')}`;
  const request = signedMessage(phone, text, sid);
  const target = pickInstance(instances);
  const first = post(instances, target, request);
  tally.messages += 1;
  if (random() >= duplicateShare) return { sid, first: await first };
  tally.duplicates += 1;
  await sleep(random() * 150);
  const toOther = random() < 0.5;
  if (toOther) tally.duplicatesToOther += 1;
  const second = post(instances, toOther ? pickInstance(instances, target) : target, request);
  return { sid, first: await first, second: await second };
}

/** What the user reads of a duplicated webhook: the answer that says something (Twilio keeps one). */
function userView(first: string[], second: string[] | undefined): string[] {
  if (second === undefined) return first;
  const says = (answer: string[]) => answer.length > 0 && !isSendAgain(answer);
  if (says(first)) return first;
  if (says(second)) return second;
  return first.length > 0 ? first : second;
}

function count(verdict: Verdict, phone: string, step: Step, detail: string): void {
  switch (verdict.kind) {
    case 'answered':
      return;
    case 'send-again':
      tally.sendAgain[verdict.phrase] += 1;
      return;
    case 'lost':
      tally.lost += 1;
      break;
    case 'doubled':
      tally.doubled += 1;
      break;
    case 'out-of-order':
      tally.outOfOrder += 1;
      break;
    case 'unexpected':
      tally.unexpected += 1;
      break;
  }
  example(`${verdict.kind}: ${phone} at step ${step}: ${detail}`);
}

function example(line: string): void {
  if (tally.examples.length < 20) tally.examples.push(line);
}

/** One person: two conversations, each message after the answer to the one before. */
async function playUser(instances: Instance[], phone: string, username: Username, inbox: Inbox, seen: Set<string>): Promise<void> {
  let step: Step | 'done' = 'hello';
  await sleep(random() * 1_000);
  while (step !== 'done') {
    const strays = judgeStrays(inbox.takeAll(), seen);
    if (strays !== undefined) count(strays, phone, step, 'late messages arrived while the user was not waiting');
    const expected = expectedReplies(step, username);
    const sentAt = performance.now();
    const { first, second } = await deliver(instances, phone, textFor(step, username));
    if (step === 'password') tally.loginSids += 1;
    if (step === 'password' || step === 'again') tally.balanceSids += 1;
    const received = userView(first, second);
    const twimlCount = received.length;
    while (!isTerminal(received.at(-1))) {
      const late = await inbox.next(sentAt + replyWithinMs);
      if (late === undefined) break;
      received.push(late.body);
    }
    const verdict = judge(expected, received, seen, !isTerminal(received.at(-1)));
    tally.events.push({ at: sentAt, kind: verdict.kind, waitMs: performance.now() - sentAt, ...(verdict.kind === 'send-again' && { phrase: verdict.phrase }) });
    count(verdict, phone, step, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(received)} (${twimlCount} in TwiML)`);
    if (second !== undefined) checkDuplicate(first, second, received, phone, step);
    for (const text of received) seen.add(text);
    if (verdict.kind === 'send-again') {
      await sleep(500 + random() * 1_000);
      continue;
    }
    // A person who lost a reply or got a wrong one stops; the run counts it and goes on.
    if (verdict.kind !== 'answered') return;
    if (endsConversation(step)) tally.completed += 1;
    step = nextStep(step);
    await sleep((step === 'again' ? 1_000 : 300) + random() * 1_500);
  }
}

/** The answer the user did not read must hold nothing the turn did not say once: no second run. */
function checkDuplicate(first: string[], second: string[], received: string[], phone: string, step: Step): void {
  const other = userView(first, second) === first ? second : first;
  if (other.length === 0 || isSendAgain(other)) return;
  if (other.every((text, i) => text === received[i])) {
    const read = received.length - other.length;
    if (other.length > userView(first, second).length && read >= 0) tally.duplicatesRepeatingLate += 1;
    return;
  }
  tally.doubled += 1;
  example(`doubled (two answers to one MessageSid): ${phone} at step ${step}: ${JSON.stringify(first)} and ${JSON.stringify(second)}`);
}

// ---------------------------------------------------------------------------------------------
// Faults, in the middle of the run, one after the other.

interface FaultLog {
  lines: string[];
  /** When each fault touched users: the messages sent from `from` to `to` (performance.now()). */
  phases: Array<{ name: string; from: number; to: number }>;
}

async function faults(progress: () => number, instances: Instance[], env: Environment, front: SlowFront, log: FaultLog, started: number): Promise<void> {
  const at = () => `${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round(progress() * 100)}% of users done)`;
  const when = async (share: number) => {
    while (progress() < share) await sleep(100);
  };

  // A message sent shortly before a fault may still be running when it comes (a slow call
  // takes 1.5 s), and one sent just after may still meet it.
  const phase = (name: string, from: number) => log.phases.push({ name, from: from - lateMs - 500, to: performance.now() + deadlineMs });

  await when(0.15);
  log.lines.push(`${at()}: Redis stalled (SIGSTOP) for ${stallMs / 1000} s`);
  const stalled = performance.now();
  process.kill(env.redis.pid, 'SIGSTOP');
  await sleep(stallMs);
  process.kill(env.redis.pid, 'SIGCONT');
  phase('Redis stall', stalled);
  // Apart, so what users saw can be put down to one fault.
  await sleep(5_000);

  await when(0.35);
  const victim = instances[1]!;
  const holding = performance.now();
  front.holdFor(1_500, pastGraceMs);
  await sleep(1_500);
  const stopping = performance.now();
  log.lines.push(`${at()}: instance ${victim.name} sent SIGTERM (grace ${graceSeconds} s; /balance calls of the last 1.5 s take ${pastGraceMs / 1000} s)`);
  const exited = new Promise<number | string>((resolve) => victim.child!.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  victim.child!.kill('SIGTERM');
  // The load balancer's health check notices a moment later.
  await sleep(500);
  victim.up = false;
  const code = await exited;
  log.lines.push(`${at()}: instance ${victim.name} exited (${code}) ${((performance.now() - stopping) / 1000).toFixed(1)} s after SIGTERM; starting it again`);
  await startInstance(victim, env);
  log.lines.push(`${at()}: instance ${victim.name} is up again`);
  phase(`instance ${victim.name} SIGTERM and restart`, holding);
  // The turns held on the instance that stayed up finish first.
  await sleep(pastGraceMs + 1_000);

  await when(0.7);
  log.lines.push(`${at()}: Redis stopped (SIGTERM; append-only file on) for ${redisDownMs / 1000} s`);
  const stopped = performance.now();
  await env.redis.stop();
  await sleep(redisDownMs);
  env.redis = await startRedisServer(env.redis.port, { appendOnlyDir: env.redisDir });
  own(env.redis.child);
  log.lines.push(`${at()}: Redis is back`);
  phase('Redis stop and restart', stopped);
}

/** Per fault, and for the rest of the run: messages, apologies, and the longest wait for an answer. */
function byPhase(phases: FaultLog['phases']): string[] {
  const groups = new Map<string, Tally['events']>([...phases.map((p) => [p.name, []] as [string, Tally['events']]), ['no fault', []]]);
  for (const event of tally.events) {
    const phase = phases.find((p) => event.at >= p.from && event.at <= p.to);
    groups.get(phase?.name ?? 'no fault')!.push(event);
  }
  return [...groups].map(([name, events]) => {
    const of = (phrase: string) => events.filter((e) => e.phrase === phrase).length;
    const waits = events.map((e) => e.waitMs);
    const wrong = events.filter((e) => e.kind !== 'answered' && e.kind !== 'send-again').length;
    return `${name}: ${events.length} messages, ${of('trouble')} "having trouble", ${of('interrupted')} "interrupted", ${wrong} lost/doubled/other; answer within p50 ${percentile(waits, 50).toFixed(0)} ms, p99 ${percentile(waits, 99).toFixed(0)} ms, max ${Math.max(0, ...waits).toFixed(0)} ms`;
  });
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  // Server logs (kept: what the servers said of each fault) and Redis's append-only file.
  const scratch = mkdtempSync(join(tmpdir(), 'parley-soak-'));
  const redisDir = join(scratch, 'redis');
  mkdirSync(redisDir);
  cleanups.push(async () => rmSync(redisDir, { recursive: true, force: true }));

  const redis = await startRedisServer(undefined, { appendOnlyDir: redisDir });
  own(redis.child);
  const services: DemoServices = await startDemoServices(0);
  cleanups.push(() => services.close());
  const front = await startSlowFront(services.url, lateEvery, lateMs);
  cleanups.push(() => front.close());
  const twilioApi = await startTwilioStandIn(accountSid, authToken);
  cleanups.push(() => twilioApi.close());
  const botFile = join(scratch, 'demo.json');
  writeFileSync(botFile, demoBotText(front.url));
  const env: Environment = { redis, redisDir, botFile, twilioApi, logDir: scratch };

  const instances: Instance[] = [];
  for (const name of ['A', 'B']) {
    const port = await freePort();
    instances.push({ name, port, url: `http://127.0.0.1:${port}`, up: false });
  }
  await Promise.all(instances.map((instance) => startInstance(instance, env)));
  process.stdout.write(`soak: ${conversations} conversations (${users} users, ${concurrency} at a time), seed ${seed}; logs in ${scratch}\n`);

  const inboxes = new Map<string, Inbox>();
  twilioApi.onMessage((message: LateMessage) => {
    const inbox = inboxes.get(message.to);
    if (inbox === undefined || message.from !== ourNumber) {
      tally.unexpected += 1;
      example(`late message to an unknown user or from another number: ${JSON.stringify(message)}`);
      return;
    }
    inbox.push(message);
  });
  const people = Array.from({ length: users }, (_, i) => ({
    phone: `+1556${String(seed % 1000).padStart(3, '0')}${String(i).padStart(4, '0')}`,
    username: (i % 2 === 0 ? 'ada' : 'alan') as Username,
    seen: new Set<string>(),
  }));
  for (const person of people) inboxes.set(person.phone, createInbox());

  let done = 0;
  const faultLog: FaultLog = { lines: [], phases: [] };
  const faultRun = faults(() => done / users, instances, env, front, faultLog, started);
  faultRun.catch(() => undefined);
  let next = 0;
  const worker = async () => {
    while (next < people.length) {
      const person = people[next++]!;
      await playUser(instances, person.phone, person.username, inboxes.get(person.phone)!, person.seen);
      done += 1;
      if (done % Math.max(1, Math.floor(users / 10)) === 0) process.stdout.write(`  ${done}/${users} users done\n`);
    }
  };
  const limit = sleep(runLimitMs).then(() => {
    throw new Error(`the run did not finish within ${runLimitMs / 60_000} minutes`);
  });
  await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), limit]);
  await Promise.race([faultRun, limit]);

  // Anything still arriving now came late or twice.
  await sleep(3_000);
  for (const person of people) {
    const strays = judgeStrays(inboxes.get(person.phone)!.takeAll(), person.seen);
    if (strays !== undefined) count(strays, person.phone, 'again', 'late messages arrived after the last answer');
  }

  // A turn runs once per MessageSid: the auth service sees at most one sign-in, the API at
  // most one balance call, per message that can make one.
  const logins = services.calls.get('/login') ?? 0;
  const balances = services.calls.get('/balance') ?? 0;
  if (logins > tally.loginSids || balances > tally.balanceSids) {
    tally.doubled += 1;
    example(`more service calls than messages: /login ${logins} for ${tally.loginSids}, /balance ${balances} for ${tally.balanceSids}`);
  }

  const client = new Redis(env.redis.url, { maxRetriesPerRequest: 1 });
  const memory = await client.info('memory');
  const keys = await client.dbsize();
  const kinds = await keyKinds(client);
  client.disconnect();
  const usedMemory = /^used_memory_human:(\S+)/m.exec(memory)?.[1] ?? '?';
  const usedBytes = Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? Number.NaN);

  const seconds = (performance.now() - started) / 1000;
  const rows: Array<[string, string]> = [
    ['conversations completed', `${tally.completed} of ${users * 2}`],
    ['replies lost', String(tally.lost)],
    ['replies doubled', String(tally.doubled)],
    ['replies out of order', String(tally.outOfOrder)],
    ['replies no script explains', String(tally.unexpected)],
    ['5xx answers', String(tally.status5xx)],
    ['other non-200 answers, time-outs', `${tally.statusOther}, ${tally.timeouts}`],
    ['webhook answer p50 / p99', `${percentile(tally.latencies, 50).toFixed(0)} ms / ${percentile(tally.latencies, 99).toFixed(0)} ms (${tally.latencies.length} answers)`],
    ['Redis memory at the end', `used_memory ${usedMemory} (${usedBytes} bytes), ${keys} keys: ${kinds}`],
    ['messages sent', `${tally.messages} (plus ${tally.duplicates} duplicates, ${tally.duplicatesToOther} of them to the other instance)`],
    ['told "having trouble" / "interrupted"', `${tally.sendAgain.trouble} / ${tally.sendAgain.interrupted} (sent again)`],
    ['late replies (REST API)', `${twilioApi.messages.length}; ${front.held().late} turns past the deadline, ${front.held().long} held past the grace`],
    ['rerouted by the load balancer', `${tally.rerouted} (connection failed before an answer)`],
    ['duplicates answered with late replies', String(tally.duplicatesRepeatingLate)],
    ['auth service / API calls', `/login ${logins} for ${tally.loginSids} password messages, /balance ${balances} for ${tally.balanceSids}`],
    ['run time', `${seconds.toFixed(0)} s on ${cpus().length} cores, Node ${process.versions.node}, load ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`\n${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n\nfaults:\n${faultLog.lines.map((line) => `  ${line}`).join('\n')}\n\nwhat users saw, by when they wrote:\n${byPhase(faultLog.phases).map((line) => `  ${line}`).join('\n')}\n`);
  if (twilioApi.refused() > 0) process.stdout.write(`note: the Twilio stand-in refused ${twilioApi.refused()} requests with wrong credentials\n`);
  if (tally.examples.length > 0) process.stdout.write(`\nexamples:\n${tally.examples.map((line) => `  ${line}`).join('\n')}\n`);

  const failed = tally.lost + tally.doubled + tally.status5xx + tally.unexpected + tally.statusOther + tally.timeouts > 0;
  process.stdout.write(failed ? `\nFAILED: replies were lost, doubled or unexplained; server logs in ${scratch}\n` : `\npassed: nothing lost, nothing doubled, no 5xx (server logs in ${scratch})\n`);
  return failed ? 1 : 0;
}

/** The store's keys counted by what they hold (see src/stores/redis-store.ts for their names). */
async function keyKinds(client: Redis): Promise<string> {
  const names: Record<string, string> = { s: 'sessions', d: 'answers kept for retries', r: 'ids kept against replays', t: 'tokens', lock: 'locks', k: 'other' };
  const found = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) {
      const kind = /\}:(s|d|r|lock)(?::|$)/.exec(key)?.[1] ?? /:(t|k):/.exec(key)?.[1] ?? 'k';
      const name = names[kind] ?? 'other';
      found.set(name, (found.get(name) ?? 0) + 1);
    }
  } while (cursor !== '0');
  return [...found].map(([name, n]) => `${n} ${name}`).join(', ');
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number (not ${value})`);
  return n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** A small seeded generator, so a run's choices (targets, duplicates, pauses) can be replayed. */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let code = 1;
try {
  code = await main();
} catch (error) {
  // After Ctrl-C, what failed is only the processes being stopped.
  if (!interrupted) process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  await cleanUp();
}
process.exit(code);
