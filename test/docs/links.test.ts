// Everything a user of a clone needs is inside it: the README and docs/ link only to files of
// the repository, and every such link (and #anchor) leads somewhere.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingAnchors, linkTargets, readDoc, root } from './markdown.js';

const documents = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const external = /^(https?:|mailto:)/;

describe('links in the README and docs/', () => {
  it('the README never points outside the repository', () => {
    const readme = readDoc('README.md');
    expect(readme).not.toMatch(/\.\.\//);
    expect(readme).not.toMatch(/shared\/spec/);
  });

  it('links to the contract kept in docs/', () => {
    const targets = linkTargets(readDoc('README.md'));
    expect(targets).toEqual(expect.arrayContaining(['docs/bot-format.md', 'docs/server.md', 'docs/test-format.md']));
  });

  it.each(documents)('%s: every relative link names a file in the repository, and every #anchor a heading', (document) => {
    const broken: string[] = [];
    const targets = linkTargets(readDoc(document)).filter((target) => !external.test(target));
    for (const target of targets) {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(root, document) : resolve(root, dirname(document), decodeURIComponent(path));
      if (relative(root, file).startsWith('..')) broken.push(`${target}: outside the repository`);
      else if (!existsSync(file)) broken.push(`${target}: no such file`);
      else if (anchor !== undefined && file.endsWith('.md') && !headingAnchors(readDoc(relative(root, file))).has(anchor)) broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it('finds links, so the test above can fail', () => {
    expect(linkTargets('[a](docs/x.md) `[b](no.md)` [c]: ../y.md\n\n```\n[d](z.md)\n```\n')).toEqual(['docs/x.md']);
    expect(linkTargets('[c]: ../y.md')).toEqual(['../y.md']);
    expect(headingAnchors('## Your own bot, from an empty folder\n### Editing bots in VS Code')).toEqual(new Set(['your-own-bot-from-an-empty-folder', 'editing-bots-in-vs-code']));
  });
});
