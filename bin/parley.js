#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`, which `npm install` runs as `prepare`).
// In development it runs the TypeScript sources through tsx (a development dependency) instead:
// when dist/ is missing, when PARLEY_DEV=1, or when a source file changed after the build, so
// an edit is never answered by stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/src/cli/main.js', root);

function changedSince(time) {
  for (const folder of ['src', 'channels']) {
    const dir = new URL(`${folder}/`, root);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts') && statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > time) return true;
    }
  }
  return false;
}

const useBuild = process.env.PARLEY_DEV !== '1' && existsSync(built) && !changedSince(statSync(built).mtimeMs);
let register;
if (!useBuild) register = await import('tsx/esm/api').then((tsx) => tsx.register, () => undefined);
if (register !== undefined) {
  register();
  await import('../src/cli/main.ts');
} else if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write('parley: dist/ is missing and tsx (a development dependency) is not installed: run `npm run build`.\n');
  process.exit(1);
}
