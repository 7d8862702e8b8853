import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { botText, loadFixture, onlyProblem } from './fixture-bots.js';

describe('the flow of steps', () => {
  it('warns about a step nothing reaches, and still loads the bot', async () => {
    const result = await loadFixture('unreachable-step.json');
    expect(result.bot).toBeDefined();
    const problem = onlyProblem(result);
    expect(problem).toMatchObject({ severity: 'warning', code: 'unreachable-step', line: 11, column: 9, pointer: '/scripts/main/steps/2' });
    expect(problem.message).toBe(
      'this step never runs: the conversation ends just before it, and no goto, onFailure, onError, option or branch leads to it: give it an "id" and jump to it, or remove it',
    );
  });

  it('reports a loop that never waits for the user at the goto that closes it', async () => {
    const result = await loadFixture('endless-loop.json');
    expect(result.bot).toBeUndefined();
    const problem = onlyProblem(result);
    expect(problem).toMatchObject({ severity: 'error', code: 'endless-loop', line: 11, column: 35, pointer: '/scripts/main/steps/2/step' });
    expect(problem.message).toBe(
      'endless loop: "top" → the set at line 10 → this goto → back to "top", and no step in it waits for the user: add a question, or a way out of the loop',
    );
  });

  it('reports an endless loop across scripts', () => {
    const text = botText([], {
      scripts: {
        main: { steps: [{ type: 'message', text: 'a' }, { type: 'goto', script: 'other' }] },
        other: { steps: [{ type: 'forgetToken', token: 'login' }, { type: 'goto', step: 'main' }] },
      },
      authTokens: { login: { url: 'https://auth.example.com', questions: [{ ask: 'User?', field: 'user' }], ttl: 60, tokenPath: 'token' } },
    });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/other/steps/1/step' });
    expect(problem.message).toMatch(/of script "main" → .* of script "other" → this goto → back to/);
  });

  it('reports a goto to itself', () => {
    const problem = onlyProblem(loadBotText(botText([{ type: 'goto', id: 'again', step: 'again' }]), 'bot.json'));
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/main/steps/0/step' });
    expect(problem.message).toMatch(/this goto jumps to itself/);
  });

  it('accepts a loop that asks a question', () => {
    const asking = botText([{ type: 'question', id: 'ask', ask: 'Again?', save: 'a' }, { type: 'goto', step: 'ask' }]);
    const retrying = botText([
      { type: 'webService', id: 'call', url: 'https://api.example.com/balance', onError: 'retry' },
      { type: 'end', text: 'Done.' },
      { type: 'question', id: 'retry', ask: 'That failed. Try again?', input: 'yesno', save: 'again' },
      { type: 'condition', branches: [{ when: { var: 'again', op: 'eq', value: 'yes' }, goto: 'call' }], else: 'bye' },
      { type: 'end', id: 'bye' },
    ]);
    expect(loadBotText(asking, 'bot.json').problems).toEqual([]);
    expect(loadBotText(retrying, 'bot.json').problems).toEqual([]);
  });

  it('reports a loop whose only way out is a condition, since nothing in it waits', () => {
    const text = botText([
      { type: 'set', id: 'top', vars: { n: 'x' } },
      { type: 'condition', branches: [{ when: { var: 'n', op: 'eq', value: 'y' }, goto: 'out' }] },
      { type: 'goto', step: 'top' },
      { type: 'end', id: 'out' },
    ]);
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/main/steps/2/step' });
    expect(problem.message).toMatch(
      /^endless loop: "top" → the condition at line \d+ → this goto → back to "top", and no step in it waits for the user, so it goes round without end as long as the condition keeps choosing this way: add a question, or a way out of the loop$/,
    );
  });

  it('reports a web service whose onError leads back to itself', () => {
    const text = botText([{ type: 'webService', id: 'call', url: 'https://api.example.com/balance', onError: 'call' }, { type: 'end' }]);
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    const line = text.split('\n').findIndex((l) => l.includes('"onError"'));
    expect(problem).toMatchObject({ severity: 'error', code: 'endless-loop', pointer: '/scripts/main/steps/0/onError', line: line + 1 });
    expect(problem.message).toBe(
      'endless loop: this webService leads back to itself through onError, and no step in it waits for the user, so it goes round without end as long as the web service keeps failing: add a question, or a way out of the loop',
    );
  });

  it('reports a web service whose onError comes back through a message, a condition and a goto, once, at the goto', () => {
    const text = botText([
      { type: 'webService', id: 'call', url: 'https://api.example.com/balance', save: { balance: 'balance' }, onError: 'sorry' },
      { type: 'end', text: 'Your balance is {balance}.' },
      { type: 'message', id: 'sorry', text: 'Trying again.' },
      { type: 'condition', branches: [{ when: { var: 'balance', op: 'exists' }, goto: 'call' }], else: 'again' },
      { type: 'goto', id: 'again', step: 'call' },
    ]);
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/main/steps/4/step' });
    expect(problem.message).toMatch(
      /^endless loop: "call" → "sorry" → the condition at line \d+ → this goto → back to "call", and no step in it waits for the user, so it goes round without end as long as the web service keeps failing and the condition keeps choosing this way: add a question, or a way out of the loop$/,
    );
  });

  it('reports an auth token whose onFailure leads back to it through another script', () => {
    const text = botText([], {
      scripts: {
        main: { steps: [{ type: 'authToken', token: 'login', onFailure: 'retry' }, { type: 'end' }] },
        retry: { steps: [{ type: 'message', text: 'Once more.' }, { type: 'goto', script: 'main' }] },
      },
      authTokens: { login: { url: 'https://auth.example.com/login', questions: [{ ask: 'User?', field: 'user' }], ttl: 60, tokenPath: 'token' } },
    });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/retry/steps/1/script' });
    expect(problem.message).toMatch(/as long as sign-in keeps failing or is paused: add a question, or a way out of the loop$/);
  });

  it('reports a loop with several ways round once, saying how many more steps go round', () => {
    const text = botText([
      { type: 'set', id: 'top', vars: { n: 'x' } },
      { type: 'condition', branches: [{ when: { var: 'n', op: 'eq', value: 'y' }, goto: 'side' }] },
      { type: 'goto', step: 'top' },
      { type: 'message', id: 'side', text: 'Side.' },
      { type: 'goto', step: 'top' },
    ]);
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/main/steps/4/step' });
    expect(problem.message).toMatch(/^endless loop: "top" → the condition at line \d+ → "side" → this goto → back to "top" \(1 more step goes round with them\)/);
  });

  it('finds a loop in a very long chain of steps without overflowing the stack', () => {
    const steps = Array.from({ length: 20_000 }, (_, i) => ({ type: 'set', id: `s${i}`, vars: { n: 'x' } }));
    const text = botText([...steps, { type: 'goto', step: 's0' }]);
    const started = performance.now();
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(problem).toMatchObject({ code: 'endless-loop', pointer: '/scripts/main/steps/20000/step' });
    expect(problem.message).toMatch(/^endless loop: "s0" → "s1" → "s2" → "s3" → … 19995 more steps … → "s19999" → this goto → back to "s0", and no step/);
  });

  it('treats a condition with else as never falling through', () => {
    const text = botText([
      { type: 'question', ask: 'Yes?', save: 'a', input: 'yesno' },
      { type: 'condition', branches: [{ when: { var: 'a', op: 'eq', value: 'yes' }, goto: 'yes' }], else: 'no' },
      { type: 'message', text: 'never' },
      { type: 'message', text: 'nor this' },
      { type: 'end', id: 'yes' },
      { type: 'end', id: 'no' },
    ]);
    const result = loadBotText(text, 'bot.json');
    expect(result.bot).toBeDefined();
    expect(result.problems.map((p) => [p.code, p.pointer])).toEqual([['unreachable-step', '/scripts/main/steps/2']]);
    expect(result.problems[0]?.message).toMatch(/^this step and the 1 after it \(to line \d+\) never run: the condition before it always branches/);
  });

  it('warns about a script nothing starts', () => {
    const text = botText([], { scripts: { main: { steps: [{ type: 'end' }] }, spare: { steps: [{ type: 'end' }] } } });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ severity: 'warning', code: 'unreachable-script', pointer: '/scripts/spare' });
  });

  it('counts scripts started by triggers and steps reached by targets in other scripts', () => {
    const text = botText([], {
      triggers: [{ keywords: ['help'], script: 'help' }],
      scripts: {
        main: { steps: [{ type: 'end' }] },
        help: { steps: [{ type: 'goto', step: 'tail#late' }] },
        tail: { steps: [{ type: 'end' }, { type: 'end', id: 'late' }] },
      },
    });
    expect(loadBotText(text, 'bot.json').problems.map((p) => p.pointer)).toEqual(['/scripts/tail/steps/0']);
  });
});
