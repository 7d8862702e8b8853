import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import type { LoadResult } from '../../src/bot/load.js';
import { botText, loadFixture, onlyProblem } from './fixture-bots.js';

const errors = (result: LoadResult) => result.problems.filter((p) => p.severity === 'error');

describe('names in a bot that must name something', () => {
  it('reports a goto to a step the script does not have, naming the steps it has', async () => {
    const result = await loadFixture('unknown-goto-target.json');
    expect(result.bot).toBeUndefined();
    const [problem, ...others] = errors(result);
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ code: 'unknown-target', line: 10, column: 35, pointer: '/scripts/main/steps/1/step' });
    expect(problem?.message).toBe(
      'goto names step "confirm", which script "main" does not have: add a step with "id": "confirm" or name one of: ask-name, done (or a script: main)',
    );
  });

  it('reports a goto to a script the bot does not have, suggesting the likely one', async () => {
    const [problem, ...others] = errors(await loadFixture('unknown-goto-script.json'));
    expect(others).toEqual([]);
    expect(problem).toMatchObject({ code: 'unknown-script', line: 7, column: 53, pointer: '/scripts/main/steps/0/script' });
    expect(problem?.message).toBe(
      'goto names script "balanse", which this bot does not have: did you mean "balance"? Otherwise add a script "balanse" under "scripts" or name one of: main, balance',
    );
  });

  it('reports a token definition that does not exist', async () => {
    const problem = onlyProblem(await loadFixture('unknown-token.json'));
    expect(problem).toMatchObject({ code: 'unknown-token', line: 17, column: 41, pointer: '/scripts/main/steps/0/token' });
    expect(problem.message).toBe(
      '"token" names auth token definition "acme-logn", which "authTokens" does not have: did you mean "acme-login"? Otherwise add a definition "acme-logn" under "authTokens" or name one of: acme-login',
    );
  });

  it('reports a step id used twice in one script, at the second one', async () => {
    const problem = onlyProblem(await loadFixture('duplicate-step-id.json'));
    expect(problem).toMatchObject({ code: 'duplicate-id', line: 10, column: 36, pointer: '/scripts/main/steps/1/id' });
    expect(problem.message).toBe('step id "greet" is already used in script "main" at line 9: give this step another id');
  });

  it('reports a start that names no script', async () => {
    const problem = onlyProblem(await loadFixture('unknown-start.json'));
    expect(problem).toMatchObject({ code: 'unknown-start', line: 5, column: 12, pointer: '/start' });
    expect(problem.message).toBe('start names script "mian", which this bot does not have: did you mean "main"? Otherwise add a script "mian" under "scripts" or name one of: main');
  });

  it('reports a target in another script by that script and step', () => {
    const text = botText([{ type: 'goto', step: 'other#nope' }], {
      scripts: { main: { steps: [{ type: 'goto', step: 'other#nope' }] }, other: { steps: [{ type: 'end', id: 'bye' }] } },
    });
    const [problem] = errors(loadBotText(text, 'bot.json'));
    expect(problem?.message).toBe('goto names step "nope" of script "other", which that script does not have: add a step with "id": "nope" to it or name one of: bye');
  });

  it('checks every kind of target: options, onFailure, onError, branches and else', () => {
    const text = botText([
      { type: 'question', ask: 'Pick', save: 'p', input: 'choice', options: [{ label: 'A', value: 'a', goto: 'x1' }], onFailure: 'x2' },
      { type: 'webService', url: 'https://example.com', onError: 'x3' },
      { type: 'condition', branches: [{ when: { var: 'p', op: 'exists' }, goto: 'x4' }], else: 'x5' },
    ]);
    const pointers = errors(loadBotText(text, 'bot.json')).map((p) => [p.code, p.pointer]);
    expect(pointers).toEqual([
      ['unknown-target', '/scripts/main/steps/0/options/0/goto'],
      ['unknown-target', '/scripts/main/steps/0/onFailure'],
      ['unknown-target', '/scripts/main/steps/1/onError'],
      ['unknown-target', '/scripts/main/steps/2/branches/0/goto'],
      ['unknown-target', '/scripts/main/steps/2/else'],
    ]);
  });

  it('reports a trigger for a script that does not exist', () => {
    const text = botText([{ type: 'end' }], { triggers: [{ keywords: ['help'], script: 'help' }] });
    const [problem] = errors(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'unknown-script', pointer: '/triggers/0/script' });
  });

  it('reports a web service or forgetToken naming an undefined token', () => {
    const text = botText([
      { type: 'webService', url: 'https://example.com', authToken: 'api' },
      { type: 'forgetToken', token: 'api' },
    ]);
    const problems = errors(loadBotText(text, 'bot.json'));
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['unknown-token', '/scripts/main/steps/0/authToken'],
      ['unknown-token', '/scripts/main/steps/1/token'],
    ]);
    expect(problems[0]?.message).toMatch(/this bot defines no auth tokens: add a definition "api" under "authTokens"$/);
  });
});
