// bin/parley.js picks the build or the sources: the build (dist/) unless a source it was made
// from, or the lock file, changed after it; then the sources, through tsx, so an edit is never
// answered by stale code. Without a src/ folder (the image) the build always runs.
//
// A checkout of its own (bin/, src/, channels/, scripts/, package files, node_modules), built
// by `node tools/build.mjs`; the built entry is then replaced by one line that says so, which
// tells the two apart.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
let app = '';
const builtSays = 'the build ran';
const sourcesSay = 'scripts/pizza.json: ok';

/** Runs `parley validate scripts/pizza.json` in the checkout; its first line of output. */
function validate(extra: NodeJS.ProcessEnv = {}): string {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  const run = spawnSync(process.execPath, [join(app, 'bin/parley.js'), 'validate', 'scripts/pizza.json'], { cwd: app, env, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout.split('\n')[0] ?? '';
}

/** Sets a file's times `seconds` from now (negative: in the past). */
function touch(path: string, seconds: number): void {
  const at = new Date(Date.now() + seconds * 1000);
  utimesSync(join(app, path), at, at);
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'parley-stale-'));
  for (const folder of ['bin', 'src', 'channels', 'scripts', 'tools']) cpSync(join(root, folder), join(app, folder), { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json']) cpSync(join(root, file), join(app, file));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
  const built = spawnSync(process.execPath, [join(root, 'tools/build.mjs'), '--outdir', join(app, 'dist')], { cwd: root, encoding: 'utf8' });
  expect(built.stdout + built.stderr).toBe('');
  expect(built.status).toBe(0);
  // Everything the build read is older than it, as after `npm run build`.
  const inputs = JSON.parse(readFileSync(join(app, 'dist/inputs.json'), 'utf8')) as { sources: string[]; lockFile: string };
  expect(inputs.sources).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/bot/load.ts', 'channels/twilio-sms/webhook.ts']));
  for (const source of [...inputs.sources, inputs.lockFile]) touch(source, -60);
  writeFileSync(join(app, 'dist/src/cli/main.js'), `process.stdout.write('${builtSays}\\n');\n`);
}, 120_000);

afterAll(() => {
  if (app !== '') rmSync(app, { recursive: true, force: true });
});

describe('bin/parley.js', () => {
  it('runs the build when nothing it was made from changed since', () => {
    expect(validate()).toBe(builtSays);
  });

  it('runs the sources once a source of the build changed, and the build again once rebuilt', () => {
    touch('src/bot/load.ts', 10);
    expect(validate()).toBe(sourcesSay);
    touch('src/bot/load.ts', -60);
    expect(validate()).toBe(builtSays);
  });

  it('runs the sources when the build\'s settings changed (tools/build.mjs, tsconfig.json)', () => {
    for (const file of ['tools/build.mjs', 'tsconfig.json']) {
      touch(file, 10);
      expect([file, validate()]).toEqual([file, sourcesSay]);
      touch(file, -60);
    }
    expect(validate()).toBe(builtSays);
  });

  it('runs the sources when the lock file changed (a bundled package may have)', () => {
    touch('package-lock.json', 10);
    expect(validate()).toBe(sourcesSay);
    touch('package-lock.json', -60);
  });

  it('runs the sources when a source of the build is gone, or the list of them', () => {
    renameSync(join(app, 'src/cli/bot-paths.ts'), join(app, 'src/cli/moved.ts'));
    try {
      // The sources cannot run without it either: the answer is their error, not the build's.
      const run = spawnSync(process.execPath, [join(app, 'bin/parley.js'), 'validate', 'scripts/pizza.json'], { cwd: app, env: { PATH: process.env.PATH }, encoding: 'utf8' });
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('src/cli/bot-paths');
    } finally {
      renameSync(join(app, 'src/cli/moved.ts'), join(app, 'src/cli/bot-paths.ts'));
      touch('src/cli/bot-paths.ts', -60);
    }
    renameSync(join(app, 'dist/inputs.json'), join(app, 'dist/inputs.away'));
    try {
      expect(validate()).toBe(sourcesSay);
    } finally {
      renameSync(join(app, 'dist/inputs.away'), join(app, 'dist/inputs.json'));
    }
    expect(validate()).toBe(builtSays);
  });

  it('runs the sources with PARLEY_DEV=1', () => {
    expect(validate({ PARLEY_DEV: '1' })).toBe(sourcesSay);
  });

  it('runs the build, however old, where there is no src/ folder (the image)', () => {
    touch('src/bot/load.ts', 10);
    renameSync(join(app, 'src'), join(app, 'src-away'));
    try {
      expect(validate()).toBe(builtSays);
    } finally {
      renameSync(join(app, 'src-away'), join(app, 'src'));
      touch('src/bot/load.ts', -60);
    }
  });
});
