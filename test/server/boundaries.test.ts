// The runtime and the components are channel-neutral: they import no channel, no web framework
// and no platform SDK. Read from the files' import lines, so a new file is checked too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const forbidden = [/(^|\/)channels\//, /^twilio(\/|$)/, /^botbuilder/, /^botframework-/, /^express(\/|$)/, /^pino(\/|$)/, /^prom-client(\/|$)/, /(^|\/)server\//];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) found.push(match[1] ?? '');
  for (const match of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push(match[1] ?? '');
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1] ?? '');
  for (const match of source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1] ?? '');
  return found;
}

describe('module boundaries', () => {
  for (const area of ['src/runtime', 'src/components']) {
    it(`nothing under ${area}/ imports a channel, express, a platform SDK or the server`, () => {
      const files = tsFiles(join(root, area));
      expect(files.length).toBeGreaterThan(0);
      const offending = files.flatMap((file) =>
        importsOf(readFileSync(file, 'utf8'))
          .filter((specifier) => forbidden.some((pattern) => pattern.test(specifier.replace(/^(\.\.?\/)+/, ''))))
          .map((specifier) => `${relative(root, file)} imports ${specifier}`),
      );
      expect(offending).toEqual([]);
    });
  }

  it('finds imports however they are written', () => {
    const source = "import type { X } from '../../channels/a.js';\nimport {\n  y,\n} from 'express';\nexport * from 'twilio';\nconst z = await import('botbuilder');";
    expect(importsOf(source)).toEqual(['../../channels/a.js', 'express', 'twilio', 'botbuilder']);
  });
});
