import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { botText, loadFixture, onlyProblem } from './fixture-bots.js';

const definition = { url: 'https://auth.example.com', questions: [{ ask: 'User?', field: 'user' }], ttl: 60, tokenPath: 'token' };

describe('rules within a step or definition', () => {
  it('reports a pattern that is not a regular expression, with the reason', async () => {
    const problem = onlyProblem(await loadFixture('bad-pattern.json'));
    expect(problem).toMatchObject({ code: 'bad-pattern', line: 9, column: 79, pointer: '/scripts/main/steps/0/pattern' });
    expect(problem.message).toMatch(/^"pattern" is not a valid regular expression \(error parsing regexp: missing closing \): .*\): patterns use RE2 syntax/);
  });

  it.each([
    ['a lookahead', '^(?=.*\\\\d)\\\\w+$'],
    ['a backreference', '^(a)\\\\1$'],
  ])('refuses %s, which RE2 cannot run in linear time, where it is written', (_label, pattern) => {
    const text = `{"format": 1, "id": "p", "name": "p", "start": "main", "scripts": {"main": {"steps": [
      {"type": "question", "ask": "Code?", "save": "code", "pattern": "${pattern}"}]}}}`;
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'bad-pattern', line: 2, pointer: '/scripts/main/steps/0/pattern' });
    expect(problem.message).toContain('no lookarounds');
  });

  it('warns when a password is asked for without being marked secret, and still loads', async () => {
    const result = await loadFixture('password-not-secret.json');
    expect(result.bot).toBeDefined();
    const problem = onlyProblem(result);
    expect(problem).toMatchObject({ severity: 'warning', code: 'secret-not-marked', line: 11, column: 40, pointer: '/authTokens/acme-login/questions/1/field' });
    expect(problem.message).toBe(
      'field "password" looks like a password, but its answer is not marked secret: add "secret": true to this question so the answer is never stored, logged or echoed',
    );
  });

  it.each([['pin'], ['userPIN'], ['one_time_otp'], ['cvv2'], ['passcode'], ['clientSecret']])('takes the field %s for a secret', (field) => {
    const text = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: { ...definition, questions: [{ ask: '?', field }] } } });
    expect(onlyProblem(loadBotText(text, 'bot.json')).code).toBe('secret-not-marked');
  });

  it.each([['shipping'], ['username'], ['passport'], ['spinner']])('does not take the field %s for a secret', (field) => {
    const text = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: { ...definition, questions: [{ ask: '?', field }] } } });
    expect(loadBotText(text, 'bot.json').problems).toEqual([]);
  });

  it('needs a tokenPath when the token is read from JSON', () => {
    const { tokenPath: _, ...noPath } = definition;
    const text = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: noPath } });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'missing-token-path', pointer: '/authTokens/login' });
    expect(problem.message).toMatch(/add "tokenPath".*or set "json": false/);
    const plain = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: { ...noPath, json: false } } });
    expect(loadBotText(plain, 'bot.json').problems).toEqual([]);
  });

  it('needs options on a choice question, and only there', () => {
    const text = botText([
      { type: 'question', ask: 'Pick', save: 'a', input: 'choice' },
      { type: 'question', ask: 'Name?', save: 'b', options: [{ label: 'x', value: 'x' }] },
    ]);
    const { problems } = loadBotText(text, 'bot.json');
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['choice-without-options', '/scripts/main/steps/0/input'],
      ['options-without-choice', '/scripts/main/steps/1/options'],
    ]);
    expect(problems[1]?.message).toBe('"options" only apply to a choice question, and this one\'s input is "text" by default: set "input": "choice" or remove "options"');
  });

  it('checks the regular expression of a "matches" condition, and that comparisons have a value', () => {
    const text = botText([
      { type: 'question', ask: 'Code?', save: 'code' },
      {
        type: 'condition',
        branches: [
          { when: { var: 'code', op: 'matches', value: '[0-9' }, goto: 'main' },
          { when: { var: 'code', op: 'gt' }, goto: 'main' },
          { when: { var: 'code', op: 'exists' }, goto: 'main' },
        ],
      },
    ]);
    const { problems } = loadBotText(text, 'bot.json');
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['bad-pattern', '/scripts/main/steps/1/branches/0/when/value'],
      ['missing-value', '/scripts/main/steps/1/branches/1/when'],
    ]);
  });

  it('refuses JSONPath filter and script expressions in every path a bot holds, where they are written', () => {
    const text = botText(
      [
        { type: 'authToken', token: 'login', save: { name: '$..[?(@.constructor)]' } },
        { type: 'webService', url: 'https://api.example.com/items', save: { last: '$..[(@.length-1)]', first: '$.items[0].id' } },
        { type: 'end' },
      ],
      { authTokens: { login: { ...definition, tokenPath: '$..[?(@.constructor)]', expiresInPath: '$..[(@.length-1)]', accountPath: '$.user[?(@.main)].name' } } },
    );
    const result = loadBotText(text, 'bot.json');
    expect(result.bot).toBeUndefined();
    expect(result.problems.map((p) => [p.code, p.pointer])).toEqual([
      ['bad-path', '/scripts/main/steps/0/save/name'],
      ['bad-path', '/scripts/main/steps/1/save/last'],
      ['bad-path', '/authTokens/login/tokenPath'],
      ['bad-path', '/authTokens/login/expiresInPath'],
      ['bad-path', '/authTokens/login/accountPath'],
    ]);
    const tokenPath = result.problems[2];
    expect(tokenPath?.line).toBe(text.split('\n').findIndex((line) => line.includes('"tokenPath"')) + 1);
    expect(tokenPath?.message).toBe(
      '"tokenPath" uses a JSONPath filter or script expression ([?(…)] or (…)), and a bot runs no code: write a field name ("token"), a dotted path ("data.auth.token") or a plain JSONPath ("$.data.token", "$.items[0].id") instead',
    );
    expect(result.problems[0]?.message).toMatch(/^the path saved as "name" uses a JSONPath filter or script expression/);
  });

  it('refuses a JSONPath that does not parse', () => {
    const text = botText([{ type: 'webService', url: 'https://api.example.com/items', save: { first: '$.items[0' } }, { type: 'end' }]);
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'bad-path', pointer: '/scripts/main/steps/0/save/first' });
    expect(problem.message).toBe(
      'the path saved as "first" is not a JSONPath that can be read: write a field name ("token"), a dotted path ("data.auth.token") or a plain JSONPath ("$.data.token", "$.items[0].id")',
    );
  });

  it('accepts field names, dotted paths and plain JSONPaths', () => {
    const text = botText(
      [{ type: 'webService', url: 'https://api.example.com/items', save: { a: 'balance', b: 'data.owner.name', c: '$.items[*].id', d: "$['a.b']", e: '$..token' } }, { type: 'end' }],
      { authTokens: { login: { ...definition, tokenPath: '$.data.token', expiresInPath: 'expires_in', accountPath: 'user.name' } } },
    );
    expect(loadBotText(text, 'bot.json').problems.filter((p) => p.code === 'bad-path')).toEqual([]);
  });
});

describe('validPath', () => {
  it('is read like the other paths: a script expression is refused where it is written', () => {
    const text = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: { ...definition, validPath: '$[?(@.ok)]' } } });
    expect(onlyProblem(loadBotText(text, 'bot.json'))).toMatchObject({ code: 'bad-path', pointer: '/authTokens/login/validPath' });
  });

  it('needs a JSON answer: with "json": false it is an error that says what to do', () => {
    const text = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: { ...definition, tokenPath: undefined, json: false, validPath: 'valid_credentials' } } });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ severity: 'error', code: 'bad-path', pointer: '/authTokens/login/validPath' });
    expect(problem.message).toContain('remove "validPath"');
  });
});
