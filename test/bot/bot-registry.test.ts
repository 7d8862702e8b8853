// The bots a process serves, reloaded from their files: a good edit replaces the bot, a bad
// one is refused with its problems while the last good version serves on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BotRegistry, type ReloadOutcome } from '../../src/bot/bot-registry.js';
import { formatProblem } from '../../src/bot/problems.js';

const bot = (id: string, greeting: string, answersFor?: object) =>
  JSON.stringify({ format: 1, id, name: id, start: 'main', ...(answersFor && { answersFor }), scripts: { main: { steps: [{ type: 'end', text: greeting }] } } }, null, 2);

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-registry-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const greeting = (registry: BotRegistry, id: string) => {
  const step = registry.get(id)?.bot.scripts.main?.steps[0];
  return step?.type === 'end' ? step.text : undefined;
};

describe('BotRegistry', () => {
  it('loads a file, reloads a good edit, refuses a bad one and keeps serving the last good version', async () => {
    const dir = folder({ 'a.json': bot('alpha', 'One.') });
    const { registry, outcomes } = await BotRegistry.open({ paths: [join(dir, 'a.json')] });
    expect(outcomes.map((o) => o.kind)).toEqual(['added']);
    const first = registry.get('alpha')!;
    const revision = first.bot.revision;
    expect(revision).toMatch(/^[\w-]{12}$/);

    expect(await registry.reload()).toEqual([]);

    writeFileSync(join(dir, 'a.json'), bot('alpha', 'Two.'));
    const [reloaded] = await registry.reload();
    expect(reloaded).toMatchObject({ kind: 'reloaded', previous: { revision } });
    expect(greeting(registry, 'alpha')).toBe('Two.');
    // The same object, updated: whoever holds it sees the new version.
    expect(registry.get('alpha')).toBe(first);

    writeFileSync(join(dir, 'a.json'), '{ "format": 1, "id": "alpha", ');
    const [refused] = await registry.reload();
    expect(refused?.kind).toBe('refused');
    expect((refused as Extract<ReloadOutcome, { kind: 'refused' }>).problems.map(formatProblem)[0]).toMatch(/a\.json:1:\d+: /);
    expect((refused as Extract<ReloadOutcome, { kind: 'refused' }>).serving?.id).toBe('alpha');
    expect(greeting(registry, 'alpha')).toBe('Two.');
    expect(registry.get('alpha')?.problems.length).toBeGreaterThan(0);
    // The same broken text is not refused again and again.
    expect(await registry.reload()).toEqual([]);
  });

  it('refuses a reload that changes the id or claims another bot\'s number, and serves a bot added to the folder', async () => {
    const dir = folder({ 'a.json': bot('alpha', 'A.', { numbers: ['+15550100011'] }), 'b.json': bot('beta', 'B.') });
    const { registry } = await BotRegistry.open({ paths: [dir] });
    expect(registry.list().map((l) => l.bot.id)).toEqual(['alpha', 'beta']);
    expect(registry.answering('numbers', '+15550100011')?.bot.id).toBe('alpha');

    writeFileSync(join(dir, 'b.json'), bot('gamma', 'B2.'));
    expect((await registry.reload()).map((o) => [o.kind, o.kind === 'refused' ? o.problems[0]?.code : undefined])).toEqual([['refused', 'bot-id-changed']]);
    writeFileSync(join(dir, 'b.json'), bot('beta', 'B2.', { numbers: ['+15550100011'] }));
    expect((await registry.reload()).map((o) => [o.kind, o.kind === 'refused' ? o.problems[0]?.code : undefined])).toEqual([['refused', 'claimed-twice']]);
    expect(greeting(registry, 'beta')).toBe('B.');

    writeFileSync(join(dir, 'c.json'), bot('gamma', 'C.'));
    writeFileSync(join(dir, 'bot.schema.json'), JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema' }));
    const outcomes = await registry.reload();
    expect(outcomes.map((o) => o.kind)).toEqual(['added']);
    expect(greeting(registry, 'gamma')).toBe('C.');

    // A file taken away: its bot serves on (a deleted file is no reason to drop conversations).
    rmSync(join(dir, 'c.json'));
    const [gone] = await registry.reload();
    expect(gone).toMatchObject({ kind: 'refused', serving: { id: 'gamma' } });
    expect(greeting(registry, 'gamma')).toBe('C.');
  });

  it('reloads on its own when a watched file changes, also when an editor replaces it', async () => {
    const dir = folder({ 'a.json': bot('alpha', 'One.') });
    const { registry } = await BotRegistry.open({ paths: [join(dir, 'a.json')], settleMs: 20 });
    onTestFinished(() => registry.close());
    const seen: ReloadOutcome[] = [];
    registry.onReload((outcome) => seen.push(outcome));
    registry.watch();
    writeFileSync(join(dir, 'a.json'), bot('alpha', 'Two.'));
    await until(() => greeting(registry, 'alpha') === 'Two.');
    // Written elsewhere and renamed over it, as editors save.
    writeFileSync(join(dir, 'a.json.tmp'), bot('alpha', 'Three.'));
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, 'a.json.tmp'), join(dir, 'a.json'));
    await until(() => greeting(registry, 'alpha') === 'Three.');
    expect(seen.map((o) => o.kind)).toEqual(['reloaded', 'reloaded']);
  });
});

async function until(check: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
