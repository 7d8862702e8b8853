// The loader answers any file in bounded time: it runs on every save (hot reload, the studio),
// and on files nobody wrote by hand. Each case here took from 20 s to out-of-memory before.
import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { formatProblem } from '../../src/bot/problems.js';

function timed(text: string) {
  const started = performance.now();
  const result = loadBotText(text, 'bot.json');
  return { ...result, ms: performance.now() - started };
}

describe('name suggestions in bounded time', () => {
  it('refuses a 20,000-character start and script id quickly', () => {
    const long = `s${'a'.repeat(20_000)}`;
    const text = JSON.stringify({ format: 1, id: 'x', name: 'x', start: `${long}b`, scripts: { [long]: { steps: [{ type: 'end' }] } } });
    const { bot, problems, ms } = timed(text);
    expect(bot).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(1_000);
  });

  it('refuses an 8,000-character unknown target quickly', () => {
    const text = JSON.stringify({ format: 1, id: 'x', name: 'x', start: 'main', scripts: { main: { steps: [{ type: 'goto', step: 'q'.repeat(8_000) }] } } });
    const { problems, ms } = timed(text);
    expect(problems.some((p) => p.code === 'unknown-target')).toBe(true);
    expect(ms).toBeLessThan(1_000);
  });

  it('refuses 2,000 scripts that each go to an unknown script quickly', () => {
    const scripts: Record<string, unknown> = {};
    for (let i = 0; i < 2_000; i++) scripts[`script-${i}`] = { steps: [{ type: 'goto', script: `missing-${i}` }] };
    const { problems, ms } = timed(JSON.stringify({ format: 1, id: 'x', name: 'x', start: 'script-0', scripts }));
    expect(problems.filter((p) => p.code === 'unknown-script' || p.code === 'unknown-target').length).toBe(2_000);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('one problem, one line', () => {
  it('escapes a newline or control character in a key or id it prints', () => {
    const text = JSON.stringify({ format: 1, id: 'x', name: 'x', start: 'main\nnext', scripts: { main: { steps: [{ type: 'end', 'bad\nkey': 1 }] } } });
    const { problems } = timed(text);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(formatProblem(problem)).not.toMatch(/[\n\r\u0000-\u001f]/);
  });
});

describe('refused at load, not at run time', () => {
  const withStep = (step: object, more: object = {}) => JSON.stringify({ format: 1, id: 'x', name: 'x', start: 'main', ...more, scripts: { main: { steps: [step, { type: 'end' }] } } }, null, 2);
  it.each([
    ['a header value with CR/LF', withStep({ type: 'webService', url: 'https://api.example.com/x', headers: { 'X-A': 'one\r\nX-Injected: two' } }), '/scripts/main/steps/0/headers/X-A', 'line break'],
    ['a header name with a space and colon', withStep({ type: 'webService', url: 'https://api.example.com/x', headers: { 'Bad Name:': 'v' } }), '/scripts/main/steps/0/headers/Bad Name:', 'header name'],
    ['an empty header name', withStep({ type: 'webService', url: 'https://api.example.com/x', headers: { '': 'v' } }), '/scripts/main/steps/0/headers/', 'header name'],
    ['a blank trigger keyword', withStep({ type: 'message', text: 'hi' }, { triggers: [{ keywords: [' '], script: 'main' }] }), '/triggers/0/keywords/0', 'blank'],
    ['text with a control character', withStep({ type: 'message', text: 'bell\u0007' }), '/scripts/main/steps/0/text', 'control characters'],
  ])('refuses %s where it is written', (_label, text, pointer, words) => {
    const { bot, problems } = timed(text);
    expect(bot).toBeUndefined();
    const problem = problems.find((p) => p.pointer === pointer);
    expect(problem?.message).toContain(words);
    expect(problem?.line).toBeGreaterThan(1);
  });
});
