// What can be checked of the image and the compose file without a Docker engine (there is none
// here): the Dockerfile's stages, that the running code needs no development dependency, the
// compose file through `docker-compose config` where the client is installed, and that the
// compose deployment's demo bot is the demo bot of scripts/ pointed at the demo container.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBotFile } from '../../src/bot/load.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The package a bare specifier names (`twilio/lib/x.js` → `twilio`, `@a/b/c` → `@a/b`). */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('the image', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

  it('builds in one stage and runs node:24-slim with the build and production dependencies only, as a user without privileges', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => [m[1], m[2]]);
    expect(stages).toEqual([
      ['node:24-slim', 'build'],
      ['node:24-slim', undefined],
    ]);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(final).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(final).not.toMatch(/COPY (src|channels)\b/);
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^CMD \["node", "bin\/parley\.js", "serve"\]$/m);
    // The build stage compiles through npm ci's `prepare`.
    expect(pkg.scripts.prepare).toBe('npm run build');
  });

  it('runs code that imports only production dependencies (statically or on demand)', () => {
    const imported = new Map<string, string>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('channels')]) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^\s*import\s+'([^']+)'/gm)) {
        const name = packageOf(match[1] ?? match[2] ?? match[3] ?? '');
        if (name !== undefined) imported.set(name, relative(root, file));
      }
    }
    // The scan sees imports however they are written (botbuilder is loaded on demand).
    expect([...imported.keys()]).toEqual(expect.arrayContaining(['express', 'twilio', 'botbuilder', 'ioredis', 'pino', 'zod']));
    const missing = [...imported].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
    // The development runner stays one.
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
  });
});

describe('the compose file', () => {
  const available = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

  it.runIf(available)('is valid for `docker-compose config`, and refuses to start without TOKEN_ENCRYPTION_KEY', () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const without = spawnSync('docker-compose', ['config', '-q'], { cwd: root, env, encoding: 'utf8' });
    expect(without.status).not.toBe(0);
    expect(without.stderr).toContain('set TOKEN_ENCRYPTION_KEY');
    const withKey = spawnSync('docker-compose', ['config'], { cwd: root, env: { ...env, TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') }, encoding: 'utf8' });
    expect(withKey.stderr).toBe('');
    expect(withKey.status).toBe(0);
    const config = withKey.stdout;
    // The replicas: behind the balancer, read-only, with time to finish their turns.
    expect(config).toMatch(/parley:[\s\S]*stop_grace_period: 30s/);
    expect(config).toMatch(/parley:[\s\S]*read_only: true/);
    expect(config).toMatch(/lb:[\s\S]*published: 8080/);
  });

  it('serves the demo bot of scripts/, calling the demo container instead of loopback', async () => {
    const shipped = readFileSync(join(root, 'scripts/demo.json'), 'utf8');
    const deployed = readFileSync(join(root, 'deploy/bots/demo.json'), 'utf8');
    expect(deployed).toBe(shipped.replaceAll('http://127.0.0.1:4010/', 'http://demo:4010/').replace('"./bot.schema.json"', '"../../scripts/bot.schema.json"'));
    const { bot, problems } = await loadBotFile(join(root, 'deploy/bots/demo.json'));
    expect(problems).toEqual([]);
    expect(bot?.id).toBe('demo');
  });
});
