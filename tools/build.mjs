// `npm run build`: the CLI and the demo services' entry point bundled by esbuild into dist/, so
// that a command starts by reading a handful of files instead of tsc's two hundred and the
// dependencies' hundreds more (on Node 20, resolving, reading and compiling each module was
// most of `parley validate`'s time: bench/findings.md, "Start-up").
//
//   dist/src/cli/main.js    what bin/parley.js runs
//   dist/src/demo/main.js   the demo services alone (the compose file's demo container)
//   dist/chunks/*.js        code shared by both, and what each `import()` loads on demand
//   dist/inputs.json        what the build was made from, for bin/parley.js to tell a stale build
//
// `splitting` keeps every `import()` of the sources a chunk of its own, loaded when it runs: a
// command's code (serve, chat, studio, …), the Redis store, the Bot Framework routes, the HTTP
// client. The small pure-JavaScript packages on the start-up paths are bundled in (zod,
// commander, jsonc-parser, re2js, jsonpath-plus, ipaddr.js, express, pino, prom-client, twilio's
// TwiML); the heavy ones, and those loaded only on demand, stay in node_modules (`external`).
//
// What bundling changes, and why it is fine here:
// - pino's transports run in worker threads from files of pino's own, which a bundle does not
//   have: Parley logs to standard output (pino.destination) and configures no transport.
// - Top-level names that two modules share get a digit in the bundle (`accountOf2`), which is
//   what a stack trace shows; esbuild's keepNames would keep them, at a cost on every closure
//   made (bench/findings.md, "Interpreter"). Error classes set their `name` themselves.
//
// Type checking is not the build's job: `npm run typecheck` (tsc --noEmit, in `npm test`).
// Usage: node tools/build.mjs [--outdir DIR] [--metafile FILE]
//   --outdir: default dist (the build test builds elsewhere);
//   --metafile: esbuild's account of which input went into which output, and of each output's
//   imports (the start-up findings in bench/findings.md were made with it).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(root, 'dist') }, metafile: { type: 'string' } } });

/**
 * Loaded from node_modules at run time. Each is heavy (botbuilder's Azure packages, twilio's
 * REST client, elkjs' 1.5 MB bundle, undici), needed only on demand (ioredis with REDIS_URL,
 * openid-client at an OAuth sign-in, nodemailer with SMTP_URL), or both.
 */
const external = ['botbuilder', 'elkjs', 'ioredis', 'nodemailer', 'openid-client', 'undici'];

/**
 * `twilio` itself (its REST client, for late replies) stays external, loaded by `import()`
 * when first used; the few files of it the webhook routes import (TwiML, the signature check)
 * are bundled, which esbuild's `external: ['twilio']` would not allow (it covers subpaths).
 */
const twilioClientOnly = {
  name: 'twilio-client-external',
  setup(build) {
    build.onResolve({ filter: /^twilio$/ }, (args) => ({ path: args.path, external: true }));
  },
};

rmSync(values.outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/demo/main.ts'],
  outdir: values.outdir,
  outbase: '.',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages' ES module builds first (jsonc-parser's `main` is a UMD file esbuild cannot follow).
  mainFields: ['module', 'main'],
  // Paths in source maps as the project sees them (node_modules may be a link).
  preserveSymlinks: true,
  external: external.flatMap((name) => [name, `${name}/*`]).concat(['botbuilder-*', 'botframework-*']),
  plugins: [twilioClientOnly],
  // Bundled CommonJS packages (express, pino, commander…) `require` Node's own modules: give
  // each output file a real `require`, which esbuild's ES module output lacks.
  banner: { js: "import { createRequire as __parleyCreateRequire } from 'node:module';\nconst require = __parleyCreateRequire(import.meta.url);" },
  // Not minified: a stack trace in a log names readable functions and lines. The maps lead
  // back to the sources (`NODE_OPTIONS=--enable-source-maps`, debuggers); without the sources'
  // text, which is in the checkout and, for packages, in node_modules.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
});
if (values.metafile !== undefined) writeFileSync(values.metafile, JSON.stringify(result.metafile));

// The files whose change makes this build stale: our sources that went into it, the build's
// settings, and the lock
// file, which changes when a bundled package does (`npm install x` does not rebuild). bin/parley.js
// compares their times with the build's, instead of walking src/ and channels/ on every start.
const sources = Object.keys(result.metafile.inputs).filter((path) => /^(src|channels)\//.test(path));
// The build's own settings make a different bundle from the same sources: an edit to them is stale too.
const settings = ['tools/build.mjs', 'tsconfig.json'];
writeFileSync(join(values.outdir, 'inputs.json'), `${JSON.stringify({ sources: [...sources, ...settings], lockFile: 'package-lock.json' }, null, 1)}\n`);
