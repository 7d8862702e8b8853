// Start-up time and idle memory of the compiled CLI (`node bin/parley.js`, running dist/), side
// by side with what no program can beat on this machine: `node -e 0`, and a bare express server
// that answers one route. Each is a fresh process, timed from spawn, several times; medians.
//   validate: `parley validate scripts/demo.json` until it exits.
//   serve ready: `parley serve scripts/demo.json` (memory store) until GET /healthz answers 200.
//   idle RSS: the serving process's resident memory 2 s after it was ready.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { stopChild } from './redis-server.js';
import { median } from './stats.js';

const root = join(import.meta.dirname, '..');

export interface StartupResult {
  /** Seconds, medians: wall time from spawn. */
  nodeNothing: number;
  validate: number;
  bareExpressReady: number;
  serveReady: number;
  /**
   * Seconds, medians: CPU time (user + system, all threads) the same processes used. On a
   * machine busy with other work, wall times stretch by the wait for a core; CPU time much less.
   */
  cpu: { nodeNothing: number; validate: number; bareExpressReady: number; serveReady: number };
  /** Bytes, medians. */
  bareExpressIdleRss: number;
  serveIdleRss: number;
  runs: number;
}

/** The environment of an operator's shell: the compiled build, not the sources. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', ...extra };
  return clean;
}

interface Timed {
  seconds: number;
  cpuSeconds: number;
}

// sysconf(_SC_CLK_TCK): 100 on every Linux this runs on.
const clockTicksPerSecond = 100;

/** CPU seconds from a /proc/PID/stat: `own` (utime, stime) or the reaped children's (cutime, cstime). */
function cpuOf(pid: number | 'self', which: 'own' | 'children'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [user, system] = which === 'own' ? [fields[11], fields[12]] : [fields[13], fields[14]];
  return (Number(user) + Number(system)) / clockTicksPerSecond;
}

function untilExit(argv: string[]): Promise<Timed> {
  const started = performance.now();
  const cpuBefore = cpuOf('self', 'children');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr}`));
      resolve({ seconds: (performance.now() - started) / 1000, cpuSeconds: cpuOf('self', 'children') - cpuBefore });
    });
  });
}

/** Spawns a server and times it until GET /healthz answers 200; then its RSS once idle. */
async function untilReady(argv: string[], port: number, extraEnv: NodeJS.ProcessEnv): Promise<Timed & { idleRss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, argv, { cwd: root, env: env({ PORT: String(port), ...extraEnv }), stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${argv.join(' ')} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - started > 30_000) throw new Error(`${argv.join(' ')} was not ready within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuOf(child.pid!, 'own');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return { seconds, cpuSeconds, idleRss: rssOf(child.pid!) };
  } finally {
    await stopChild(child);
  }
}

function rssOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

const bareExpress = `
import('express').then(({ default: express }) => {
  const app = express();
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.listen(Number(process.env.PORT), '127.0.0.1');
});`;

export async function measureStartup(runs: number): Promise<StartupResult> {
  const cli = join(root, 'bin', 'parley.js');
  const demo = join(root, 'scripts', 'demo.json');
  // One of each first, so every measured run finds the files in the page cache.
  await untilExit(['-e', '0']);
  await untilExit([cli, 'validate', demo]);
  const wall = { nodeNothing: [] as number[], validate: [] as number[], bareExpressReady: [] as number[], serveReady: [] as number[] };
  const cpu = { nodeNothing: [] as number[], validate: [] as number[], bareExpressReady: [] as number[], serveReady: [] as number[] };
  const rss = { bare: [] as number[], serve: [] as number[] };
  const record = (name: keyof typeof wall, timed: Timed) => {
    wall[name].push(timed.seconds);
    cpu[name].push(timed.cpuSeconds);
  };
  for (let run = 0; run < runs; run++) {
    record('nodeNothing', await untilExit(['-e', '0']));
    record('validate', await untilExit([cli, 'validate', demo]));
    const bare = await untilReady(['-e', bareExpress], await freePort(), {});
    record('bareExpressReady', bare);
    rss.bare.push(bare.idleRss);
    const served = await untilReady([cli, 'serve', demo], await freePort(), { LOG_LEVEL: 'warn' });
    record('serveReady', served);
    rss.serve.push(served.idleRss);
  }
  const medians = (of: typeof wall) => ({ nodeNothing: median(of.nodeNothing), validate: median(of.validate), bareExpressReady: median(of.bareExpressReady), serveReady: median(of.serveReady) });
  return { ...medians(wall), cpu: medians(cpu), bareExpressIdleRss: median(rss.bare), serveIdleRss: median(rss.serve), runs };
}

// `node --import tsx bench/startup.ts [RUNS]`: these rows alone (after `npm run build`), without
// the rest of `npm run bench`; prints the medians.
if (process.argv[1] === import.meta.filename) {
  const runs = Number(process.argv[2] ?? 7);
  const r = await measureStartup(runs);
  const s = (n: number) => `${n.toFixed(3)} s`;
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  process.stdout.write(
    [
      `medians of ${runs} runs, wall (CPU user + system):`,
      `  node -e 0            ${s(r.nodeNothing)} (${s(r.cpu.nodeNothing)})`,
      `  parley validate      ${s(r.validate)} (${s(r.cpu.validate)})`,
      `  bare express ready   ${s(r.bareExpressReady)} (${s(r.cpu.bareExpressReady)})`,
      `  parley serve ready   ${s(r.serveReady)} (${s(r.cpu.serveReady)})`,
      `  idle RSS             bare express ${mb(r.bareExpressIdleRss)}, parley serve ${mb(r.serveIdleRss)}`,
      '',
    ].join('\n'),
  );
}
