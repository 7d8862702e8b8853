// Where the demo bot is, from the sources (src/cli/) and from the build (a chunk in dist/) alike:
// the folder above that holds package.json is Parley's own.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(from, '..', '..');
  }
}

export const demoBotPath = join(packageRoot(import.meta.dirname), 'scripts', 'demo.json');
