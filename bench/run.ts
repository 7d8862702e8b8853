// `npm run bench`: every benchmark of issue 5 in one run, side by side. Prints a table and
// writes docs/benchmarks.md. `npm run bench -- --quick` runs each briefly and writes nothing.
// The in-process benchmarks run in child processes of their own (bench/measure-child.ts), the
// servers too (bench/server-child.ts); a redis-server is started for the run and stopped after.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationTestResult } from './conversation-tests.js';
import type { RateResult } from './interpreter.js';
import type { HeapMemory, RedisMemory } from './memory.js';
import { startRedisServer } from './redis-server.js';
import { markdown, textTable, type Machine, type Results, type Settings } from './report.js';
import { shapeBotText } from './shape.js';
import type { SignInSide } from './sign-in.js';
import { measureStartup, type StartupResult } from './startup.js';
import { measureWebhook, type WebhookResult } from './webhook.js';

const root = join(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const command = 'npm run bench';

const settings: Settings = quick
  ? {
      turns: { conversations: 500, rounds: 3, warmupRounds: 1 },
      signIn: { samples: 200, warmup: 50 },
      webhook: { connections: 20, durationSeconds: 3, warmupSeconds: 1, users: 1000, rounds: 1 },
      redisConversations: 500,
      heapConversations: 10_000,
      startupRuns: 2,
      conversationTests: { runs: 3 },
    }
  : {
      turns: { conversations: 2500, rounds: 7, warmupRounds: 2 },
      signIn: { samples: 1000, warmup: 200 },
      webhook: { connections: 20, durationSeconds: 8, warmupSeconds: 2, users: 1000, rounds: 5 },
      redisConversations: 2000,
      heapConversations: 10_000,
      startupRuns: 7,
      conversationTests: { runs: 9 },
    };

const CHILD_LIMIT_MS = 120_000;

/** Runs one measurement in a fresh `node --expose-gc` process and returns its JSON result. */
function inChild<T>(script: string[], name: string, options: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...script, name, JSON.stringify(options)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && (last.startsWith('{') || last.startsWith('['))) {
        resolve(JSON.parse(last) as T);
      } else {
        reject(new Error(`${name} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || stdout.trim()}`));
      }
    });
  });
}

const underTsx = ['--import', 'tsx', join('bench', 'measure-child.ts')];
const compiledDir = join(root, 'node_modules', '.cache', 'parley-bench');

/** Builds the in-process benchmarks with tsc, for the interpreter's compiled row. */
function compile(): string[] {
  // tsc exits non-zero on type errors elsewhere in the tree yet still emits: check the output.
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join('bench', 'tsconfig.emit.json')], { cwd: root, stdio: 'pipe' });
  } catch {
    // Judged by whether the entry was emitted, below.
  }
  writeFileSync(join(compiledDir, 'package.json'), '{ "type": "module" }\n');
  readFileSync(join(compiledDir, 'bench', 'measure-child.js'));
  return [join(compiledDir, 'bench', 'measure-child.js')];
}

function machine(loadBefore: number): Machine {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cpu, cores: cpus().length, memoryGiB: totalmem() / 1024 ** 3, kernel: release(), node: process.versions.node, loadBefore, loadAfter: loadavg()[0]! };
}

function versions(): Record<string, string> {
  const of = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const found: Record<string, string> = {};
  for (const name of ['botbuilder', 'botbuilder-dialogs', 'express', 'twilio', 'ioredis', 'undici', 'autocannon', 'tsx', 'typescript']) found[name] = of(name);
  found['redis-server'] = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  return found;
}

/** HEAD, and how many files differed from it: others work in the same tree. */
function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).split('\n').filter((line) => line.trim() !== '').length;
    return changed === 0 ? head : `${head} (with ${changed} changed or new files in the working tree)`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const loadBefore = loadavg()[0]!;
  const notes: string[] = [];
  const step = (what: string) => process.stdout.write(`${what}…\n`);

  // The start-up and webhook rows run the compiled CLI, as `npm install` leaves it.
  step('build: npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe' });
  step(`start-up and idle memory (${settings.startupRuns} runs)`);
  const startup = await measureStartup(settings.startupRuns);

  step('interpreter: Parley under tsx');
  const parleyTurns = await inChild<RateResult>(underTsx, 'parley-turns', settings.turns);
  step('interpreter: Parley compiled by tsc');
  let parleyTurnsCompiled: RateResult | undefined;
  try {
    parleyTurnsCompiled = await inChild<RateResult>(compile(), 'parley-turns', settings.turns);
  } catch (error) {
    notes.push(`The compiled interpreter row was not run: ${(error as Error).message.split('\n')[0]}`);
  }
  step('interpreter: botbuilder-dialogs');
  const botbuilderTurns = await inChild<RateResult>(underTsx, 'botbuilder-turns', settings.turns);
  step('conversation tests: parley test on the example bots\' tests');
  const conversationTests = await inChild<ConversationTestResult>(underTsx, 'conversation-tests', settings.conversationTests);

  const redis = await startRedisServer();
  let signIn: SignInSide[];
  let redisMemory: RedisMemory;
  let heap: HeapMemory;
  let webhookBare: WebhookResult;
  let webhookParley: WebhookResult | undefined;
  let webhookRounds: Results['webhookRounds'];
  try {
    step('sign-in turn');
    signIn = await inChild<SignInSide[]>(underTsx, 'sign-in', { ...settings.signIn, redisUrl: redis.url });
    step('memory: Redis');
    redisMemory = await inChild<RedisMemory>(underTsx, 'redis-memory', { redisUrl: redis.url, conversations: settings.redisConversations });
    step('memory: heap');
    heap = await inChild<HeapMemory>(underTsx, 'heap', { conversations: settings.heapConversations });

    const botFile = join(mkdirTemp(), 'bench-shape.json');
    writeFileSync(botFile, shapeBotText);
    const webhookOptions = { ...settings.webhook, redisUrl: redis.url, botFile };
    // Alternating rounds, each Parley round between two of the bare handler's, so it can be set
    // against the machine's speed just before and just after it (report.ts).
    const bareRounds: WebhookResult[] = [];
    const parleyRounds: WebhookResult[] = [];
    const bareRound = async (round: number) => {
      step(`webhook round ${round}/${settings.webhook.rounds}: bare handler (${settings.webhook.durationSeconds} s)`);
      bareRounds.push(await measureWebhook('bare', webhookOptions));
    };
    await bareRound(1);
    for (let round = 1; round <= settings.webhook.rounds; round += 1) {
      step(`webhook round ${round}/${settings.webhook.rounds}: Parley (${settings.webhook.durationSeconds} s)`);
      try {
        parleyRounds.push(await measureWebhook('parley', webhookOptions));
      } catch (error) {
        notes.push(`The Parley webhook was not measured: ${(error as Error).message.split('\n')[0]}`);
        break;
      }
      await bareRound(round + 1);
    }
    webhookBare = medianRound(bareRounds)!;
    webhookParley = medianRound(parleyRounds);
    webhookRounds = {
      bare: bareRounds.map((r) => r.requestsPerSecond),
      parley: parleyRounds.map((r) => r.requestsPerSecond),
      failures: { bare: sum(bareRounds.map((r) => r.failures)), parley: sum(parleyRounds.map((r) => r.failures)) },
    };
  } finally {
    await redis.stop();
  }

  const results: Results = {
    startedAt,
    seconds: (performance.now() - started) / 1000,
    commit: commit(),
    machine: machine(loadBefore),
    versions: versions(),
    settings,
    parleyTurns,
    parleyTurnsCompiled,
    botbuilderTurns,
    conversationTests,
    signIn,
    redisMemory,
    heap,
    webhookBare,
    webhookParley,
    webhookRounds,
    startup,
    notes,
  };
  if (results.machine.loadBefore > 0.5 || results.machine.loadAfter > 2.5) {
    notes.push(`Other work ran on the machine (load average ${results.machine.loadBefore.toFixed(2)} before, ${results.machine.loadAfter.toFixed(2)} after): rates are lower and noisier than on an idle machine.`);
  }
  process.stdout.write(`\n${textTable(results)}\n\n`);
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  if (quick) {
    process.stdout.write('--quick: docs/benchmarks.md left as it was\n');
    return;
  }
  const findings = readFileSync(join(root, 'bench', 'findings.md'), 'utf8');
  writeFileSync(join(root, 'docs', 'benchmarks.md'), markdown(results, command, findings));
  process.stdout.write(`written: docs/benchmarks.md (${Math.round(results.seconds)} s)\n`);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The round with the median rate (the lower middle one of an even count). */
function medianRound(rounds: WebhookResult[]): WebhookResult | undefined {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function mkdirTemp(): string {
  const dir = join(tmpdir(), `parley-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

await main();
