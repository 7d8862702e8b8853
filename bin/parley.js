#!/usr/bin/env node
// Runs the built CLI (dist/, bundled by `npm run build`, which `npm install` runs as `prepare`).
// In development it runs the TypeScript sources through tsx (a development dependency) instead:
// when dist/ is missing, when PARLEY_DEV=1, or when the build is stale, so an edit is never
// answered by stale code.
//
// Stale: a source the build was made from (dist/inputs.json lists them, with the lock file)
// changed after it. That is a stat per listed file (about 190: 4–5 ms here), where walking
// src/ and channels/ for every .ts file took 6–7 ms. Without a src/ folder (the image, an
// installed package) nothing can be newer than the build: no check at all.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Paths as strings: making a URL of each file checked cost more than its stat.
const root = fileURLToPath(new URL('../', import.meta.url));
const built = `${root}dist/src/cli/main.js`;

/** The time of the file at `path`, undefined when there is none. */
function modifiedAt(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

function isStale(time) {
  if (modifiedAt(`${root}src`) === undefined) return false;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(`${root}dist/inputs.json`, 'utf8'));
  } catch {
    return true;
  }
  // A source that is gone (renamed, deleted) makes the build stale too.
  for (const source of inputs.sources) if (!((modifiedAt(root + source) ?? Infinity) <= time)) return true;
  return (modifiedAt(root + inputs.lockFile) ?? 0) > time;
}

const time = modifiedAt(built);
const useBuild = process.env.PARLEY_DEV !== '1' && time !== undefined && !isStale(time);
let register;
if (!useBuild) register = await import('tsx/esm/api').then((tsx) => tsx.register, () => undefined);
if (register !== undefined) {
  register();
  await import('../src/cli/main.ts');
} else if (time !== undefined) {
  await import('../dist/src/cli/main.js');
} else {
  process.stderr.write('parley: dist/ is missing and tsx (a development dependency) is not installed: run `npm run build`.\n');
  process.exit(1);
}
