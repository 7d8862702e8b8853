// `parley graph`: every script, step and way out, as Mermaid and as SVG. The SVG is looked at in
// headless Chromium: the names the studio relies on, and boxes that hold their text and do not
// overlap. The copies kept in docs/graphs/ must be what the command prints today.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSteps } from '../../src/bot/bot-steps.js';
import { loadBotFile } from '../../src/bot/load.js';
import type { Bot } from '../../src/bot/bot.js';
import { flowOf } from '../../src/graph/flow.js';
import { mermaidOf } from '../../src/graph/mermaid.js';
import { svgOf } from '../../src/graph/svg.js';
import { launchBrowser } from '../support/browser.js';
import { loadedBot } from '../support/test-files.js';

const root = join(import.meta.dirname, '..', '..');
const examples = ['demo', 'phone-bank', 'pizza', 'botize-sign-in', 'email-reviews', 'oauth-demo', 'web-sign-in'] as const;

async function example(name: string): Promise<Bot> {
  const { bot } = await loadBotFile(join(root, 'scripts', `${name}.json`));
  if (bot === undefined) throw new Error(`${name} does not load`);
  return bot;
}

describe('the flow of a bot', () => {
  it('has every way out of every step: next, sign-in, onFailure, onError, triggers and the start', async () => {
    const edges = flowOf(await example('demo')).edges.map((e) => `${e.from} -${e.label ?? e.kind}-> ${e.to}`);
    expect(edges).toEqual([
      'start -start-> main#0',
      'trigger-0 -trigger-> logout#0',
      'main#0 -next-> main#1',
      'main#1 -signed in-> main#2',
      'main#1 -not signed in-> main#4',
      'main#2 -ok-> main#3',
      'main#2 -onError-> main#5',
      'logout#0 -next-> logout#1',
    ]);
  });

  it('has each choice option, each condition branch, the else or what follows without one, and gotos', async () => {
    const edges = flowOf(await example('phone-bank')).edges.map((e) => `${e.from} -${e.label ?? e.kind}-> ${e.to}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        'main#2 -1. Hear your balance-> main#3',
        'main#2 -2. Send money-> main#6',
        'main#2 -3. Sign out-> main#16',
        'main#8 -1. sure eq false-> main#2',
        'main#8 -otherwise-> main#9',
        'main#5 -goto-> main#2',
        'main#16 -goto-> logout#0',
        'main#1 -not signed in-> main#14',
      ]),
    );
    const pizza = flowOf(await example('pizza')).edges.map((e) => `${e.from} -${e.label ?? e.kind}-> ${e.to}`);
    expect(pizza).toEqual(expect.arrayContaining(['main#6 -else-> main#10'.replaceAll('main', 'order'), 'order#2 -onFailure-> order#12', 'order#1 -1. Small-> order#2', 'order#1 -3. Just looking-> order#12']));
  });

  it('ends where a way out leads nowhere but the end of the conversation', () => {
    const bot = loadedBot({ scripts: { main: { steps: [{ type: 'webService', url: 'https://api.example.com/x' }, { type: 'message', text: 'Done.' }] } } });
    const flow = flowOf(bot);
    expect(flow.edges.map((e) => `${e.from} -${e.label ?? e.kind}-> ${e.to}`)).toEqual(['start -start-> main#0', 'main#0 -ok-> main#1', 'main#0 -onError-> main#end', 'main#1 -next-> main#end']);
    expect(flow.scripts[0]!.nodes.at(-1)).toMatchObject({ id: 'main#end', kind: 'end' });
  });
});

describe('Mermaid', () => {
  it('draws each script as a subgraph with its steps, and every edge with its label', async () => {
    const text = mermaidOf(await example('phone-bank'));
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    expect(text).toContain('  subgraph s_main["script main"]\n');
    expect(text).toContain('  subgraph s_logout["script logout"]\n');
    expect(text).toContain('    n_main__2[/"<b>question · menu</b><br/>What would you like to do? → action"/]');
    expect(text).toContain('  n_main__2 -->|"1. Hear your balance"| n_main__3');
    expect(text).toContain('  n_main__3 -.->|"onError"| n_main__15');
    expect(text).toContain('  n_trigger_0 -.-> n_logout__0');
    expect(text.match(/^ {4}n_/gm)).toHaveLength(19);
  });

  it('writes what Mermaid would read as syntax as its entity codes', () => {
    const bot = loadedBot({ scripts: { main: { steps: [{ type: 'message', text: 'Say "hi" | {user.id} [now] #1 <b>' }] } } });
    expect(mermaidOf(bot)).toContain('n_main__0["<b>message</b><br/>Say #34;hi#34; #124; #123;user.id#125; #91;now#93; #35;1 #60;b#62;"]');
  });
});

describe('SVG', () => {
  it('is an image named Flow whose step groups carry data-step="SCRIPT#INDEX"', async () => {
    const bot = await example('pizza');
    const svg = await svgOf(bot);
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="Flow"/);
    expect(svg).toContain('<title>Flow</title>');
    const steps = [...svg.matchAll(/data-step="([^"]+)"/g)].map((m) => m[1]);
    expect(steps).toEqual(allSteps(bot).map((s) => `${s.script}#${s.index}`));
    expect(svg).not.toContain('<style');
  });

  it('kept in docs/graphs/ is what `parley graph --format svg` prints for each example bot', async () => {
    for (const name of examples) {
      expect(await readFile(join(root, 'docs', 'graphs', `${name}.svg`), 'utf8'), `docs/graphs/${name}.svg: run \`parley graph scripts/${name}.json --format svg > docs/graphs/${name}.svg\``).toBe(
        await svgOf(await example(name)),
      );
    }
  });

  describe('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it.each(examples)('%s: every step is drawn, holds its text, and no two steps overlap', async (name) => {
      const bot = await example(name);
      const page = await browser.newPage();
      await page.setContent(`<!doctype html><html><body>${await svgOf(bot)}</body></html>`);
      await expect(page.getByRole('img', { name: 'Flow' }).isVisible()).resolves.toBe(true);
      const boxes = await page.$$eval('[data-step]', (groups) =>
        groups.map((g) => {
          type Graphic = { getBBox(): { x: number; y: number; width: number; height: number } };
          const rect = (g.querySelector('rect') as unknown as Graphic).getBBox();
          const text = (g.querySelector('text') as unknown as Graphic).getBBox();
          return { step: g.getAttribute('data-step'), rect: { x: rect.x, y: rect.y, w: rect.width, h: rect.height }, text: { x: text.x, y: text.y, w: text.width, h: text.height } };
        }),
      );
      await page.close();
      expect(boxes).toHaveLength(allSteps(bot).length);
      for (const { step, rect, text } of boxes) {
        expect(text.x >= rect.x && text.x + text.w <= rect.x + rect.w && text.y >= rect.y && text.y + text.h <= rect.y + rect.h, `the text of ${step} fits its box`).toBe(true);
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const apart = a.rect.x + a.rect.w <= b.rect.x || b.rect.x + b.rect.w <= a.rect.x || a.rect.y + a.rect.h <= b.rect.y || b.rect.y + b.rect.h <= a.rect.y;
          expect(apart, `${a.step} and ${b.step} do not overlap`).toBe(true);
        }
      }
    });
  });
});
