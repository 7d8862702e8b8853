// Coverage: which steps and which ways out the tests reached, each one missed shown at its
// BOTFILE:LINE:COL; `--min-coverage` fails a run under it. The interpreter is only watched.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { advance, type TurnContext } from '../../src/runtime/advance.js';
import { CoverageRecord } from '../../src/testing/coverage.js';
import { runTests } from '../../src/testing/run-tests.js';
import { lineOf, loadedBot } from '../support/test-files.js';

const root = resolve(import.meta.dirname, '..', '..');
const pizza = join(root, 'scripts', 'pizza.json');

async function folderWith(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-coverage-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

describe('coverage', () => {
  it('of the example bots\' tests is every step and every way out', async () => {
    const report = await runTests([join(root, 'scripts')], { minCoverage: 100 });
    expect(report.problems).toEqual([]);
    expect(report.results.every((r) => r.ok)).toBe(true);
    expect(report.coverage?.map((c) => [c.bot.split('/').at(-1), c.steps.percent, c.branches.percent, c.unreached])).toEqual([
      ['botize-sign-in.json', 100, 100, []],
      ['demo.json', 100, 100, []],
      ['email-reviews.json', 100, 100, []],
      ['oauth-demo.json', 100, 100, []],
      ['phone-bank.json', 100, 100, []],
      ['pizza.json', 100, 100, []],
      ['web-sign-in.json', 100, 100, []],
    ]);
    expect(report.exitCode).toBe(0);
  });

  it('lists each step never reached and each way never taken at its place in the bot file', async () => {
    const justLooking = { bot: pizza, turns: [{ user: 'hi' }, { bot: "Ciao! Let's get you a pizza." }, { bot: { contains: 'Which size?' } }, { user: '3' }, { bot: 'Arrivederci!' }] };
    const dir = await folderWith({ 'looking.test.json': justLooking });
    const report = await runTests([dir], { coverage: true });
    expect(report.exitCode).toBe(0);
    const [coverage] = report.coverage!;
    // message, size, and bye: 3 of the 16 steps.
    expect(coverage).toMatchObject({ bot: pizza, steps: { reached: 3, total: 16, percent: 18.7 }, branches: { taken: 1, total: 10, percent: 10 } });
    const text = await readFile(pizza, 'utf8');
    const at = (needle: string) => ({ file: pizza, ...lineOf(text, needle) });
    expect(coverage!.unreached).toContainEqual({ ...at('{ "type": "question", "ask": "How many?"'), what: 'step never reached: question (order#2)' });
    expect(coverage!.unreached).toContainEqual({ ...at('{ "id": "too-many"'), what: 'step never reached: end "too-many" (order#11)' });
    expect(coverage!.unreached).toContainEqual({ ...at('{ "label": "Small"'), what: 'way never taken: option "Small" (order#1)' });
    expect(coverage!.unreached).not.toContainEqual(expect.objectContaining({ what: 'way never taken: option "Just looking" (order#1)' }));
    expect(coverage!.unreached).toContainEqual({ ...at('{ "when": { "var": "count", "op": "gt"'), what: 'way never taken: branch 1 (count gt 5) (order#3)' });
    expect(coverage!.unreached.map((u) => u.what)).toContain('way never taken: no branch holds (on to the next step) (order#3)');
    expect(coverage!.unreached.map((u) => u.what)).toContain('way never taken: else (order#6)');
    expect(coverage!.unreached.map((u) => u.what)).toContain('way never taken: onFailure (too many wrong answers) (order#2)');
    // In the order an author reads the file.
    const lines = coverage!.unreached.map((u) => u.line * 1000 + u.column);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('fails the run under --min-coverage, naming each bot and what falls short', async () => {
    const dir = await folderWith({ 'hours.test.json': { bot: pizza, turns: [{ user: 'hours' }, { bot: 'We are open every day from 11:00 to 23:00.' }] } });
    const report = await runTests([dir], { minCoverage: 10 });
    expect(report.results.every((r) => r.ok)).toBe(true);
    expect(report.shortfalls).toEqual([`${pizza}: 6.2% of steps reached, under --min-coverage 10%`, `${pizza}: 0% of ways out taken, under --min-coverage 10%`]);
    expect(report.exitCode).toBe(1);
  });

  it('counts a bot of the folder that no test uses, at nothing reached', async () => {
    const tested = { format: 1, id: 'a', name: 'A', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'A.' }] } } };
    const untested = { ...tested, id: 'b', name: 'B', scripts: { main: { steps: [{ type: 'message', text: 'B.' }, { type: 'end' }] } } };
    const dir = await folderWith({ 'a.json': tested, 'b.json': untested, 'a.test.json': { bot: 'a.json', turns: [{ user: 'hi' }, { bot: 'A.' }] } });
    const report = await runTests([dir], { minCoverage: 100 });
    expect(report.coverage?.map((c) => [c.bot.split('/').at(-1), c.steps.reached, c.steps.total])).toEqual([
      ['a.json', 1, 1],
      ['b.json', 0, 2],
    ]);
    expect(report.exitCode).toBe(1);
  });
});

describe('watching the interpreter', () => {
  it('changes nothing it returns', () => {
    const bot = loadedBot({
      scripts: {
        main: {
          steps: [
            { type: 'question', ask: 'Tea?', save: 'tea', input: 'yesno' },
            { type: 'condition', branches: [{ when: { var: 'tea', op: 'eq', value: true }, goto: 'yes' }], else: 'no' },
            { id: 'yes', type: 'end', text: 'Tea it is.' },
            { id: 'no', type: 'end', text: 'No tea.' },
          ],
        },
      },
    });
    const plain: TurnContext = { bot, user: { id: 'u', channel: 'sms', via: 'twilio' }, now: 1_000 };
    const record = new CoverageRecord();
    const watched: TurnContext = { ...plain, observe: record.observe };
    const first = advance(plain, undefined, { kind: 'message', input: { text: 'hi' } });
    expect(advance(watched, undefined, { kind: 'message', input: { text: 'hi' } })).toEqual(first);
    const answer = { kind: 'message' as const, input: { text: 'no' } };
    expect(advance(watched, structuredClone(first.session), answer)).toEqual(advance(plain, structuredClone(first.session), answer));
    expect([...record.steps]).toEqual(['main#0', 'main#1', 'main#3']);
    expect([...record.ways]).toContain('main#1/else');
    expect([...record.ways]).not.toContain('main#1/branch:0');
  });
});
