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
      'endless loop: "top" → the set at line 10 → this goto → back to "top", and no step in it waits for the user: add a question, or a condition that leaves the loop',
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

  it('accepts a loop that asks a question, or has a condition that may leave it', () => {
    const asking = botText([{ type: 'question', id: 'ask', ask: 'Again?', save: 'a' }, { type: 'goto', step: 'ask' }]);
    const branching = botText([
      { type: 'set', id: 'top', vars: { n: 'x' } },
      { type: 'condition', branches: [{ when: { var: 'n', op: 'eq', value: 'y' }, goto: 'out' }] },
      { type: 'goto', step: 'top' },
      { type: 'end', id: 'out' },
    ]);
    expect(loadBotText(asking, 'bot.json').problems).toEqual([]);
    expect(loadBotText(branching, 'bot.json').problems).toEqual([]);
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
