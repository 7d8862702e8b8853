// The results as rows: printed as an aligned table and written, with the machine and versions,
// to docs/benchmarks.md.
import type { ConversationTestResult } from './conversation-tests.js';
import type { RateResult } from './interpreter.js';
import type { HeapMemory, RedisMemory } from './memory.js';
import type { SignInSide } from './sign-in.js';
import type { StartupResult } from './startup.js';
import type { WebhookResult } from './webhook.js';
import { median } from './stats.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  /** 1-minute load average before and after the run: other work on the machine skews results. */
  loadBefore: number;
  loadAfter: number;
}

export interface Settings {
  turns: { conversations: number; rounds: number; warmupRounds: number };
  signIn: { samples: number; warmup: number };
  webhook: { connections: number; durationSeconds: number; warmupSeconds: number; users: number; rounds: number };
  redisConversations: number;
  heapConversations: number;
  startupRuns: number;
  conversationTests: { runs: number };
}

export interface Results {
  startedAt: string;
  seconds: number;
  commit: string;
  machine: Machine;
  versions: Record<string, string>;
  settings: Settings;
  parleyTurns: RateResult;
  /** Undefined when the tsc build of the benchmark failed (the reason is in `notes`). */
  parleyTurnsCompiled: RateResult | undefined;
  botbuilderTurns: RateResult;
  conversationTests: ConversationTestResult;
  signIn: SignInSide[];
  redisMemory: RedisMemory;
  heap: HeapMemory;
  webhookBare: WebhookResult;
  /** The median round of each side. Undefined when Parley's server could not be run (see `notes`). */
  webhookParley: WebhookResult | undefined;
  /** Requests per second of every round, in order. */
  /**
   * Requests/s of every round: the bare handler's one more than Parley's (before the first
   * Parley round and after each); failures (non-2xx, errors, time-outs) over all rounds.
   */
  webhookRounds: { bare: number[]; parley: number[]; failures: { bare: number; parley: number } };
  startup: StartupResult;
  notes: string[];
}

type Verdict = 'met' | 'MISSED' | '';

interface Row {
  what: string;
  parley: string;
  reference: string;
  result: string;
  target: string;
  verdict: Verdict;
}

export const targets = {
  turnsRatio: 10,
  webhookShare: 0.85,
  webhookP99Ratio: 1.5,
  signInAddedMs: 1,
  redisBytes: 1024,
  validateSeconds: 0.25,
  serveReadySeconds: 0.6,
  idleRssMB: 90,
  /** 200 conversation tests, after start-up. */
  conversationTestsMs: 1000,
};

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(3)} ms`;
const bytes = (n: number) => `${int(n)} B`;
const verdict = (ok: boolean): Verdict => (ok ? 'met' : 'MISSED');

export function rows(r: Results): Row[] {
  const out: Row[] = [];
  const bb = r.botbuilderTurns.median;
  const ratio = r.parleyTurns.median / bb;
  const compiledRatio = r.parleyTurnsCompiled === undefined ? undefined : r.parleyTurnsCompiled.median / bb;
  out.push({
    what: 'Interpreter: turns/s, median (under tsx, as in development)',
    parley: int(r.parleyTurns.median),
    reference: `botbuilder-dialogs ${int(bb)}`,
    result: `${ratio.toFixed(1)}×`,
    target: compiledRatio === undefined ? `≥ ${targets.turnsRatio}×` : '(for comparison)',
    verdict: compiledRatio === undefined ? verdict(ratio >= targets.turnsRatio) : '',
  });
  if (r.parleyTurnsCompiled !== undefined && compiledRatio !== undefined) {
    out.push({
      what: 'Interpreter: turns/s, median (compiled by tsc, as bin/parley.js runs)',
      parley: int(r.parleyTurnsCompiled.median),
      reference: `botbuilder-dialogs ${int(bb)}`,
      result: `${compiledRatio.toFixed(1)}×`,
      target: `≥ ${targets.turnsRatio}×`,
      verdict: verdict(compiledRatio >= targets.turnsRatio),
    });
  }
  const st = r.startup;
  const seconds = (n: number) => `${n.toFixed(3)} s`;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  out.push({
    what: 'Start-up: parley validate scripts/demo.json, until it exits (median)',
    parley: seconds(st.validate),
    reference: `node -e 0 ${seconds(st.nodeNothing)}`,
    result: `+${seconds(st.validate - st.nodeNothing)}`,
    target: `≤ ${targets.validateSeconds} s`,
    verdict: verdict(st.validate <= targets.validateSeconds),
  });
  out.push({
    what: 'Start-up: parley serve, until GET /healthz answers 200 (median)',
    parley: seconds(st.serveReady),
    reference: `bare express ${seconds(st.bareExpressReady)}`,
    result: `+${seconds(st.serveReady - st.bareExpressReady)}`,
    target: `≤ ${targets.serveReadySeconds} s`,
    verdict: verdict(st.serveReady <= targets.serveReadySeconds),
  });
  out.push({
    what: 'Start-up: CPU time used by the same (user + system, median)',
    parley: `validate ${seconds(st.cpu.validate)}, serve ${seconds(st.cpu.serveReady)}`,
    reference: `node -e 0 ${seconds(st.cpu.nodeNothing)}, bare express ${seconds(st.cpu.bareExpressReady)}`,
    result: '',
    target: '(for comparison)',
    verdict: '',
  });
  out.push({
    what: 'Memory: parley serve, resident 2 s after ready (median)',
    parley: mb(st.serveIdleRss),
    reference: `bare express ${mb(st.bareExpressIdleRss)}`,
    result: `+${mb(st.serveIdleRss - st.bareExpressIdleRss)}`,
    target: `≤ ${targets.idleRssMB} MB`,
    verdict: verdict(st.serveIdleRss <= targets.idleRssMB * 1024 * 1024),
  });
  const ct = r.conversationTests;
  out.push({
    what: `Conversation tests (\`parley test\`, the example bots' tests): ${int(ct.tests)} tests, first run after start-up`,
    parley: `${int(ct.firstRunMs)} ms`,
    reference: `warm: ${int(ct.median)} tests/s, ${int(ct.filesPerSecond)} files/s`,
    result: `200 tests in ${int((ct.firstRunMs * 200) / ct.tests)} ms`,
    target: `200 in < ${int(targets.conversationTestsMs)} ms`,
    verdict: verdict((ct.firstRunMs * 200) / ct.tests < targets.conversationTestsMs),
  });
  const bare = r.webhookBare;
  const hook = r.webhookParley;
  if (hook === undefined) {
    out.push({ what: 'Webhook: requests/s', parley: 'not run', reference: `bare express ${int(bare.requestsPerSecond)}`, result: '-', target: `≥ ${Math.round(targets.webhookShare * 100)}%`, verdict: '' });
  } else {
    // Each Parley round against the mean of the bare rounds just before and just after it: the
    // machine's speed drifts within a run (other VMs on the host), and a steady drift cancels
    // out of a bracketed round where the two sides' medians, taken at different moments, keep it.
    const { bare: bareRates, parley: parleyRates, failures } = r.webhookRounds;
    const shares = parleyRates.map((rate, i) => rate / (((bareRates[i] ?? Number.NaN) + (bareRates[i + 1] ?? bareRates[i] ?? Number.NaN)) / 2)).filter(Number.isFinite);
    const share = median(shares);
    const percent = (x: number) => `${Math.round(x * 100)}%`;
    const failed = failures.bare + failures.parley;
    out.push({
      what: 'Webhook: signed POST /twilio/sms, requests/s (compiled): median round of each; share = median of the rounds, each against the bare rounds around it',
      parley: int(hook.requestsPerSecond),
      reference: `bare express ${int(bare.requestsPerSecond)}`,
      result: `${percent(share)} (rounds ${shares.map(percent).join(', ')}; medians ${percent(hook.requestsPerSecond / bare.requestsPerSecond)})`,
      target: `≥ ${Math.round(targets.webhookShare * 100)}%`,
      verdict: verdict(share >= targets.webhookShare && failures.parley === 0),
    });
    const p99Ratio = hook.p99Ms / Math.max(bare.p99Ms, 1);
    out.push({
      what: 'Webhook: latency p50 / p99',
      parley: `${hook.p50Ms} / ${hook.p99Ms} ms`,
      reference: `${bare.p50Ms} / ${bare.p99Ms} ms`,
      result: `p99 ${p99Ratio.toFixed(2)}×, ${failed} failed in all rounds`,
      target: `p99 ≤ ${targets.webhookP99Ratio}×`,
      verdict: verdict(p99Ratio <= targets.webhookP99Ratio && failures.parley === 0),
    });
    out.push({
      what: 'Webhook: server CPU (cores busy)',
      parley: hook.serverCpu.toFixed(2),
      reference: bare.serverCpu.toFixed(2),
      result: `autocannon ${Math.max(hook.generatorCpu, bare.generatorCpu).toFixed(2)}`,
      target: '',
      verdict: '',
    });
    out.push({
      what: 'Webhook: Redis commands per request (scripts\' included)',
      parley: hook.redisCommandsPerRequest.toFixed(1),
      reference: bare.redisCommandsPerRequest.toFixed(1),
      result: '',
      target: '',
      verdict: '',
    });
  }
  for (const side of r.signIn) {
    const main = side.store === 'memory';
    out.push({
      what: `Sign-in turn: median (${side.store} store)`,
      parley: ms(side.turnMedianMs),
      reference: `auth round trip ${ms(side.bareMedianMs)}`,
      result: `+${ms(side.addedMedianMs)}`,
      target: main ? `≤ ${ms(targets.signInAddedMs)}` : '(for comparison)',
      verdict: main ? verdict(side.addedMedianMs <= targets.signInAddedMs) : '',
    });
  }
  const m = r.redisMemory;
  const session = Math.max(m.sessionAtFirstQuestion, m.sessionAtSecondQuestion);
  out.push({
    what: 'Redis: session waiting at a question (MEMORY USAGE)',
    parley: `${bytes(m.sessionAtFirstQuestion)} / ${bytes(m.sessionAtSecondQuestion)}`,
    reference: '1st / 2nd sign-in question',
    result: bytes(session),
    target: `≤ ${bytes(targets.redisBytes)}`,
    verdict: verdict(session <= targets.redisBytes),
  });
  out.push({ what: 'Redis: cached token, sealed (MEMORY USAGE)', parley: bytes(m.token), reference: '', result: '', target: '', verdict: '' });
  out.push({
    what: 'Redis: a user with five accounts of one definition (every token key)',
    parley: bytes(m.accounts.fiveAccounts),
    reference: `one account ${bytes(m.accounts.oneAccount)}`,
    result: `${bytes((m.accounts.fiveAccounts - m.accounts.oneAccount) / 4)} per further account`,
    target: '',
    verdict: '',
  });
  out.push({ what: 'Redis: de-duplication key per message (kept 2 min on Twilio, 1 h on others)', parley: bytes(m.deliveryPerMessage), reference: '', result: '', target: '', verdict: '' });
  out.push({ what: 'Redis: replay mark per Twilio message (kept 24 h)', parley: bytes(m.replayMarkPerMessage), reference: '', result: '', target: '', verdict: '' });
  out.push({
    what: `Redis: used_memory per conversation (${int(m.conversations)})`,
    parley: bytes(m.usedMemoryPerConversation),
    reference: `with webhook de-dup keys ${bytes(m.usedMemoryPerConversationWithDelivery)}`,
    result: '',
    target: '',
    verdict: '',
  });
  out.push({
    what: `Heap: ${int(r.heap.conversations)} idle conversations (memory store)`,
    parley: `${(r.heap.heapBytes / 1024 / 1024).toFixed(1)} MiB`,
    reference: '',
    result: `${bytes(r.heap.bytesPerConversation)} each`,
    target: '',
    verdict: '',
  });
  return out;
}

const headers = ['Benchmark', 'Parley', 'Reference', 'Result', 'Target', 'Met'];
const cells = (row: Row) => [row.what, row.parley, row.reference, row.result, row.target, row.verdict];

export function textTable(r: Results): string {
  const all = [headers, ...rows(r).map(cells)];
  const widths = headers.map((_, i) => Math.max(...all.map((line) => [...line[i]!].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function markdownTable(r: Results): string {
  const line = (values: string[]) => `| ${values.map((v) => v.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows(r).map((row) => line(cells(row)))].join('\n');
}

export function markdown(r: Results, command: string, findings: string): string {
  const s = r.settings;
  const ct = r.conversationTests;
  const versions = Object.entries(r.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `# Benchmarks

How fast a turn is, against botbuilder and against the limit of the stack (issue 5). This file
is written by \`${command}\`; the findings below the results are kept in
\`bench/findings.md\` and copied in.

## Results

${markdownTable(r)}

Measured ${r.startedAt} at commit ${r.commit}, in ${Math.round(r.seconds)} s.
${r.notes.map((note) => `\n> ${note}`).join('\n')}

## Machine and versions

- CPU: ${r.machine.cpu}, ${r.machine.cores} cores; memory ${r.machine.memoryGiB.toFixed(1)} GiB; Linux ${r.machine.kernel}
- 1-minute load average: ${r.machine.loadBefore.toFixed(2)} before, ${r.machine.loadAfter.toFixed(2)} after (other work on the machine shows here)
- Node ${r.machine.node}; ${versions}
- Command: \`${command}\` (\`node --import tsx bench/run.ts\`)

## What each benchmark does

- **Interpreter**: one conversation shape (a greeting, three questions, a condition, an end;
  four turns) run ${int(s.turns.conversations)} times per round, every turn checked against the
  expected reply. Parley: \`runTurn\` with the memory store (lock, read, drive, write), in
  \`bench/interpreter.ts\`. botbuilder: \`WaterfallDialog\` of \`TextPrompt\`s over
  \`ConversationState\` on \`MemoryStorage\`, each message through \`TestAdapter.processActivity\`
  and its replies taken off the queue, in \`bench/botbuilder-dialogs.ts\`. Each side in its own
  process, ${s.turns.warmupRounds} warm-up rounds, then the median of ${s.turns.rounds} rounds.
  The compiled row runs the same code compiled by \`tsc -p bench/tsconfig.emit.json\` (a file
  per module; \`bin/parley.js\` runs esbuild's bundle of it, \`npm run build\`).
- **Start-up and idle memory**: the run first builds \`dist/\` (\`npm run build\`). Then, ${s.startupRuns}
  times each, fresh processes timed from spawn (medians): \`node -e 0\` (the floor);
  \`node bin/parley.js validate scripts/demo.json\` until it exits; a bare express server with
  one route, and \`node bin/parley.js serve scripts/demo.json\` (memory store), each until
  \`GET /healthz\` answers 200 (polled every 5 ms), and their resident memory (VmRSS) 2 s later.
  In \`bench/startup.ts\` (\`node --import tsx bench/startup.ts [RUNS]\` runs these rows alone).
- **Webhook**: autocannon, ${s.webhook.connections} connections for ${s.webhook.durationSeconds} s
  (after ${s.webhook.warmupSeconds} s of warm-up), ${s.webhook.rounds} rounds alternating between
  the two servers, with one more round of the bare handler at the end; the median round of each
  reported (requests/s of every round: bare ${r.webhookRounds.bare.map(int).join(', ')}; Parley
  ${r.webhookRounds.parley.map(int).join(', ') || '-'}). The share is the median over Parley's rounds of each
  round's rate against the mean of the two bare rounds around it: the machine's speed drifts
  within a run, and a steady drift cancels out of a bracketed round. Each server runs in a child process
  (Parley: \`bin/parley.js serve\`; the bare handler: \`bench/server-child.ts\`) with sessions in a redis-server of its own. Every request carries a
  real \`X-Twilio-Signature\` over the exact URL and all 19 fields Twilio posts, comes from one of
  ${int(s.webhook.users)} numbers in turn and has a new \`MessageSid\`. Parley runs the shape bot
  above, served by the compiled CLI (\`node bin/parley.js serve\`, its log to a file). The bare handler (\`bench/bare-handler.ts\`) is express, \`express.urlencoded\`,
  \`twilio.validateRequest\`, one GET and one SET with ioredis and a TwiML string.
- **Conversation tests**: \`runTests\` (what \`parley test DIR\` does after start-up: find the
  files, load them and their bots, play every test through \`runTurn\` on the memory store with
  stand-ins) over the example bots' tests, copied into a temporary folder until there are at
  least 200 (${int(ct.tests)} tests in ${int(ct.files)} files), in \`bench/conversation-tests.ts\`.
  The first run after the modules are loaded is timed as it is (code not yet warm, as in a CI
  job); then the median of ${s.conversationTests.runs} warm runs. Start-up itself (tsx compiling
  the CLI) adds about a second to the command on this machine.
- **Sign-in turn**: the demo bot's sign-in (same definition, the demo auth service on loopback)
  followed by an end step. (a) the turn that answers the password: \`runTurn\` → the sign-in
  call → token sealed and cached → the end step; (b) the same POST to the same service through
  \`src/http/client.ts\`. ${int(s.signIn.samples)} samples of each, alternating, after
  ${int(s.signIn.warmup)} warm-up pairs; the median of (a) minus the median of (b).
- **Memory**: the demo bot with \`TOKEN_ENCRYPTION_KEY\` set, on Redis: \`MEMORY USAGE\` of the
  session key while the conversation waits at each sign-in question, of the token key after
  signing in, and of one message's de-duplication key; then Redis's \`used_memory\` growth over
  ${int(r.redisMemory.conversations)} conversations waiting at the password question, without and with
  de-duplication keys (two messages each). Heap: \`heapUsed\` after a full gc, before and after
  ${int(s.heapConversations)} conversations that wait at the demo bot's first question in the memory store.

${findings.trim()}
`;
}
