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
  /** Seconds, medians. */
  nodeNothing: number;
  validate: number;
  bareExpressReady: number;
  serveReady: number;
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

function untilExit(argv: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr}`))));
  });
}

/** Spawns a server and times it until GET /healthz answers 200; then its RSS once idle. */
async function untilReady(argv: string[], port: number, extraEnv: NodeJS.ProcessEnv): Promise<{ seconds: number; idleRss: number }> {
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
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return { seconds, idleRss: rssOf(child.pid!) };
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
  const samples = { nodeNothing: [] as number[], validate: [] as number[], bareReady: [] as number[], serveReady: [] as number[], bareRss: [] as number[], serveRss: [] as number[] };
  for (let run = 0; run < runs; run++) {
    samples.nodeNothing.push(await untilExit(['-e', '0']));
    samples.validate.push(await untilExit([cli, 'validate', demo]));
    const bare = await untilReady(['-e', bareExpress], await freePort(), {});
    samples.bareReady.push(bare.seconds);
    samples.bareRss.push(bare.idleRss);
    const served = await untilReady([cli, 'serve', demo], await freePort(), { LOG_LEVEL: 'warn' });
    samples.serveReady.push(served.seconds);
    samples.serveRss.push(served.idleRss);
  }
  return {
    nodeNothing: median(samples.nodeNothing),
    validate: median(samples.validate),
    bareExpressReady: median(samples.bareReady),
    serveReady: median(samples.serveReady),
    bareExpressIdleRss: median(samples.bareRss),
    serveIdleRss: median(samples.serveRss),
    runs,
  };
}
