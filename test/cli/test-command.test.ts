// `parley test` and `parley graph` as authors and CI run them: real processes, real files, exit
// codes (0 passed, 1 a test failed, 2 a file or its bot is invalid) and what they print.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function parley(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'parley.js'), ...args], { cwd, timeout: 60_000, env: { ...process.env, REDIS_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const noStackTrace = /^\s+at .+\(.+:\d+:\d+\)$/m;

const pizza = join(root, 'scripts', 'pizza.json');
const hours = (expected: string) => ({ bot: pizza, name: `hours, ${expected}`, turns: [{ user: 'hours' }, { bot: expected }, { ended: true }] });

async function folder(files: Record<string, string | object>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-test-cli-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

describe('parley test', () => {
  it('passes the example bots\' tests with every step and way out covered (as npm test runs it)', { timeout: 90_000 }, async () => {
    const result = await parley(['test', '--coverage', '--min-coverage', '100', 'scripts/']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^PASS {2}signs in, then tells the balance {2}\(scripts\/tests\/demo\.test\.json, [\d.]+ ms\)$/m);
    expect(result.stdout).toContain('  scripts/demo.json: steps 8/8 (100%), ways out 4/4 (100%)\n');
    expect(result.stdout).toContain('  scripts/phone-bank.json: steps 19/19 (100%), ways out 11/11 (100%)\n');
    expect(result.stdout).toContain('  scripts/pizza.json: steps 16/16 (100%), ways out 10/10 (100%)\n');
    expect(result.stdout).toContain('  scripts/oauth-demo.json: steps 8/8 (100%), ways out 4/4 (100%)\n');
    expect(result.stdout).toContain('  scripts/web-sign-in.json: steps 8/8 (100%), ways out 4/4 (100%)\n');
    expect(result.stdout).toMatch(/\n\d+ tests: (\d+) passed, 0 failed\n$/);
  });

  it('exits 1 when a test fails, with one line per test and the first difference at FILE:LINE:COL', { timeout: 90_000 }, async () => {
    const dir = await folder({ 'good.test.json': hours('We are open every day from 11:00 to 23:00.'), 'sub/bad.test.json': hours('We are open at night.') });
    // No path: every *.test.json under the current folder.
    const result = await parley(['test'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      expect.stringMatching(/^PASS {2}hours, We are open every day from 11:00 to 23:00\. {2}\(good\.test\.json, [\d.]+ ms\)$/),
      expect.stringMatching(/^FAIL {2}hours, We are open at night\. {2}\(sub\/bad\.test\.json, [\d.]+ ms\)$/),
      '      sub/bad.test.json:8:5: the bot said something else',
      '        expected: "We are open at night."',
      '        got:      "We are open every day from 11:00 to 23:00."',
      '',
      '2 tests: 1 passed, 1 failed',
      '',
    ]);

    const json = await parley(['test', '--json', 'sub/bad.test.json'], dir);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; failed: number; tests: Array<{ ok: boolean; failure: object }> };
    expect(report).toMatchObject({ ok: false, exitCode: 1, failed: 1 });
    expect(report.tests[0]!.failure).toEqual({ file: 'sub/bad.test.json', line: 8, column: 5, message: 'the bot said something else', expected: '"We are open at night."', got: '"We are open every day from 11:00 to 23:00."' });
  });

  it('exits 2 when a test file or its bot is invalid, each problem at its FILE:LINE:COL, never a stack trace', { timeout: 90_000 }, async () => {
    const dir = await folder({
      'broken.test.json': '{ "bot": "bot.json", "turns": [ { "user": "hi" }, ] }',
      'bot.json': '{ "format": 1, "id": "b", "name": "B", "start": "main", "scripts": { "main": { "steps": [{ "type": "mesage", "text": "Hi" }] } } }',
      'uses-bot.test.json': { bot: 'bot.json', turns: [{ user: 'hi' }] },
      'fine.test.json': hours('We are open every day from 11:00 to 23:00.'),
    });
    const result = await parley(['test', '.', 'missing.test.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('missing.test.json:1:1: there is no such file or folder: check the path');
    expect(result.stdout).toContain('broken.test.json:1:49: JSON allows no comma before ]: remove this comma');
    expect(result.stdout).toMatch(/^bot\.json:1:100: "mesage" is not a step type: did you mean "message"\?/m);
    expect(result.stdout).toContain('uses-bot.test.json:2:10: the bot bot.json does not load (its problems are listed with it): fix it, or check this path (/bot)');
    // The valid file still ran.
    expect(result.stdout).toMatch(/^PASS {2}hours/m);
    expect(result.stdout).not.toMatch(noStackTrace);
    expect(result.stderr).toBe('');
  });

  it('exits 1 under --min-coverage, saying which bot falls short', { timeout: 90_000 }, async () => {
    const dir = await folder({ 'hours.test.json': hours('We are open every day from 11:00 to 23:00.') });
    const result = await parley(['test', '--min-coverage', '50', '.'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`coverage too low: ${pizza}: 6.2% of steps reached, under --min-coverage 50%`);
    expect(result.stdout).toMatch(new RegExp(`^    ${pizza.replace(/[./]/g, '\\$&')}:\\d+:\\d+: step never reached: question "size" \\(order#1\\)$`, 'm'));
  });
});

describe('parley graph', () => {
  it('prints Mermaid by default and SVG on asking; a broken bot is located, never a stack trace', { timeout: 90_000 }, async () => {
    const mermaid = await parley(['graph', 'scripts/demo.json']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart TD\n/);
    expect(mermaid.stdout).toContain('n_main__1 -.->|"not signed in"| n_main__4');

    const svg = await parley(['graph', 'scripts/demo.json', '--format', 'svg']);
    expect(svg.code).toBe(0);
    expect(svg.stdout).toMatch(/^<svg [^>]*role="img" aria-label="Flow"/);

    const png = await parley(['graph', 'scripts/demo.json', '--format', 'png']);
    expect(png.code).toBe(1);
    expect(png.stderr).toContain("option '--format <format>' argument 'png' is invalid. choose mermaid or svg");

    const broken = await parley(['graph', 'test/fixtures/bots/missing-comma.json']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('test/fixtures/bots/missing-comma.json:5:3: expected a comma or }');
    expect(broken.stderr).not.toMatch(noStackTrace);
  });
});
