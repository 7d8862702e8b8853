import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotFile, loadBotText } from '../../src/bot/load.js';
import { loadFixture, onlyProblem } from './fixture-bots.js';

describe('a bot file that is not valid JSON', () => {
  it('reports a missing comma where the next key starts, and says where to add it', async () => {
    const result = await loadFixture('missing-comma.json');
    expect(result.bot).toBeUndefined();
    const problem = onlyProblem(result);
    expect(problem).toMatchObject({ severity: 'error', code: 'json-syntax', line: 5, column: 3, pointer: '/start' });
    expect(problem.file).toMatch(/missing-comma\.json$/);
    expect(problem.message).toBe('expected a comma or }: add a comma at the end of line 4');
  });

  it('points at a trailing comma and says to remove it', () => {
    const problem = onlyProblem(loadBotText('{\n  "format": 1,\n}', 'bot.json'));
    expect(problem).toMatchObject({ code: 'json-syntax', line: 2, column: 14, message: 'JSON allows no comma before }: remove this comma' });
  });

  it('refuses comments, since bot files are plain JSON', () => {
    const problem = onlyProblem(loadBotText('{\n  // the bot\n  "format": 1\n}', 'bot.json'));
    expect(problem).toMatchObject({ code: 'json-syntax', line: 2, column: 3, pointer: '/format' });
    expect(problem.message).toBe('comments are not allowed: a bot file is plain JSON; remove the comment');
  });

  it.each([
    ['a comment after a value, about its key', '{\n  "format": 1,\n  "ttl": 5,   // seconds\n  "id": "x"\n}', 3, 15, '/ttl'],
    ['a comment on a line of its own, about the key below', '{\n  "settings": {\n    /* seconds */\n    "sessionTimeout": 900\n  }\n}', 3, 5, '/settings/sessionTimeout'],
    ['a comment after the last key of an object', '{\n  "settings": { "voice": "alice" } // the voice\n}', 2, 36, '/settings'],
    ['a comment that is not closed', '{\n  "id": "x", /* open\n}', 2, 14, '/id'],
  ])('points %s at its line and at a key', (_label, text, line, column, pointer) => {
    expect(onlyProblem(loadBotText(text, 'bot.json'))).toMatchObject({ code: 'json-syntax', line, column, pointer });
  });

  it('asks for double quotes around a property name', () => {
    const problem = onlyProblem(loadBotText('{ format: 1 }', 'bot.json'));
    expect(problem).toMatchObject({ line: 1, column: 3, message: 'property names need double quotes: write "format"' });
  });

  it('says which object is left open when the file ends early', () => {
    const problem = onlyProblem(loadBotText('{\n  "settings": {\n    "voice": "alice"\n', 'bot.json'));
    expect(problem).toMatchObject({ line: 4, column: 1 });
    expect(problem.message).toBe('the file ends before the object that starts at line 2, column 15 is closed: add a }');
  });

  it('points at the bad escape inside a string', () => {
    const problem = onlyProblem(loadBotText('{"name": "C:\\bots\\x"}', 'bot.json'));
    expect(problem).toMatchObject({ line: 1, column: 18, pointer: '/name' });
    expect(problem.message).toMatch(/invalid escape.*write \\\\ for a backslash/);
  });

  it('calls an empty file empty', () => {
    expect(onlyProblem(loadBotText('', 'bot.json'))).toMatchObject({ line: 1, column: 1, pointer: '', code: 'json-syntax' });
  });

  it('counts columns after a byte-order mark as editors do', () => {
    expect(onlyProblem(loadBotText('\uFEFF{"format" 1}', 'bot.json'))).toMatchObject({ line: 1, column: 11 });
  });

  it('counts CRLF line ends once', () => {
    expect(onlyProblem(loadBotText('{\r\n"format": 1\r\n"id": "x"}', 'bot.json'))).toMatchObject({ line: 3, column: 1 });
  });

  it('reports a key written twice in one object, which JSON would silently drop', () => {
    const problem = onlyProblem(loadBotText('{\n  "name": "A",\n  "name": "B"\n}', 'bot.json'));
    expect(problem).toMatchObject({ code: 'duplicate-key', line: 3, column: 3, pointer: '/name' });
    expect(problem.message).toMatch(/already a key of this object \(line 2\).*rename one or merge them/);
  });

  it('reports a file that cannot be read', async () => {
    const problem = onlyProblem(await loadFixture('no-such-bot.json'));
    expect(problem).toMatchObject({ code: 'read-error', line: 1, column: 1, message: 'there is no such file: check the path' });
  });
});

describe('a bot file nested too deep', () => {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'parley-deep-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** A bot whose web service body is a list nested `levels` deep, written on one line. */
  const botWithBody = (levels: number): string =>
    JSON.stringify({ format: 1, id: 'deep', name: 'Deep', start: 'main', scripts: { main: { steps: [{ type: 'webService', url: 'https://api.example.com', body: 0 }] } } }).replace(
      '"body":0',
      `"body":${'['.repeat(levels)}${']'.repeat(levels)}`,
    );

  it('reports where a 1,500-level file crosses 64 levels, instead of crashing', async () => {
    const path = join(folder, 'deep-body.json');
    await writeFile(path, botWithBody(1500));
    const started = performance.now();
    const result = await loadBotFile(path);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.bot).toBeUndefined();
    const problem = onlyProblem(result);
    // The body is level 6 (bot, scripts, main, steps, the step, body): its 60th [ is level 65.
    const column = botWithBody(1500).indexOf('"body":') + '"body":'.length + 59 + 1;
    expect(problem).toMatchObject({ severity: 'error', code: 'too-deep', file: path, line: 1, column });
    expect(problem.pointer).toBe(`/scripts/main/steps/0/body${'/0'.repeat(59)}`);
    expect(problem.message).toBe(
      'objects and lists are nested more than 64 levels deep here, and a bot file is never that deep: check that this is the bot file you meant, and remove the extra levels',
    );
  });

  it.each([
    ['closed', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['never closed', '{"a":'.repeat(100_000)],
  ])('reports a 100,000-level file (%s) as one problem, fast', async (_label, text) => {
    const path = join(folder, 'deeper.json');
    await writeFile(path, text);
    const started = performance.now();
    const problem = onlyProblem(await loadBotFile(path));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(problem).toMatchObject({ code: 'too-deep', line: 1 });
    expect(problem.column).toBe(text.startsWith('[') ? 65 : 5 * 64 + 1);
  });

  it.each([
    ['stray closers inside arrays', '[},'.repeat(20_000)],
    ['stray closers inside objects', '{"a":]'.repeat(20_000)],
    ['inside a bot', `{"format": 1, "id": "x", "name": "x", "start": "main", "scripts": {"main": {"steps": [${'[},'.repeat(20_000)}]}}}`],
  ])('counts levels the parser reads on into after a stray closer (%s), and refuses them', (_label, text) => {
    const started = performance.now();
    const result = loadBotText(text, 'bot.json');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.bot).toBeUndefined();
    expect(result.problems.some((problem) => problem.code === 'too-deep')).toBe(true);
  });

  it('counts levels the way the file nests them, not brackets inside strings or comments', () => {
    const text = `{ "name": "${'['.repeat(200)}", // ${'{'.repeat(200)}\n}`;
    expect(onlyProblem(loadBotText(text, 'bot.json')).code).toBe('json-syntax');
  });

  it('accepts 64 levels', () => {
    const result = loadBotText(botWithBody(59), 'bot.json');
    expect(result.problems).toEqual([]);
  });
});
