import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { stepTypeNames } from './step-type-names.js';
import { botText, loadFixture, onlyProblem } from './fixture-bots.js';

describe('a bot file that does not fit the schema', () => {
  it('names the step types there are when a type is wrong, and the likely one', async () => {
    const result = await loadFixture('wrong-step-type.json');
    expect(result.bot).toBeUndefined();
    const problem = onlyProblem(result);
    expect(problem).toMatchObject({ code: 'schema', line: 9, column: 19, pointer: '/scripts/main/steps/0/type' });
    expect(problem.message).toBe(`"mesage" is not a step type: did you mean "message"? Otherwise use one of: ${stepTypeNames.join(', ')}`);
  });

  it('points at an unknown key itself and lists the keys that step takes', async () => {
    const problem = onlyProblem(await loadFixture('unknown-key.json'));
    expect(problem).toMatchObject({ code: 'schema', line: 9, column: 44, pointer: '/scripts/main/steps/0/colour' });
    expect(problem.message).toBe('a message step has no key "colour": remove it (a message step takes: id, type, text, say)');
  });

  it('suggests the key an unknown key is a typo of', () => {
    const { problems } = loadBotText(botText([{ type: 'message', txt: 'Hi' }]), 'bot.json');
    expect(problems.map((p) => p.message)).toContain('a message step has no key "txt": rename it to "text" (a message step takes: id, type, text, say)');
  });

  it('points a missing key at the object that needs it', async () => {
    const problem = onlyProblem(await loadFixture('missing-key.json'));
    expect(problem).toMatchObject({ code: 'schema', line: 9, column: 9, pointer: '/scripts/main/steps/0/save' });
    expect(problem.message).toBe('a question step needs "save" (a string): add it');
  });

  it('asks for a step type when a step has none', () => {
    const problem = onlyProblem(loadBotText(botText([{ text: 'Hi' }]), 'bot.json'));
    expect(problem.pointer).toBe('/scripts/main/steps/0/type');
    expect(problem.message).toBe(`a step needs "type": add "type" with one of: ${stepTypeNames.join(', ')}`);
  });

  it('says how to write a value of the wrong type', () => {
    const problem = onlyProblem(loadBotText(botText([{ type: 'question', ask: 'How many?', save: 'n', maxAttempts: '3' }]), 'bot.json'));
    expect(problem.message).toBe('"maxAttempts" must be a number, not the string "3": write the number without quotes');
  });

  it('lists the allowed values of an enum and the likely one', () => {
    const problem = onlyProblem(loadBotText(botText([{ type: 'question', ask: 'Pick', save: 'p', input: 'choise' }]), 'bot.json'));
    expect(problem.message).toBe('"input" cannot be "choise": did you mean "choice"? Otherwise use one of: text, number, digits, email, phone, yesno, choice');
  });

  it('points at a variable name that is not one', () => {
    const problem = onlyProblem(loadBotText(botText([{ type: 'set', vars: { '2nd': 'x' } }]), 'bot.json'));
    expect(problem).toMatchObject({ pointer: '/scripts/main/steps/0/vars/2nd', line: 12, column: 13 });
    expect(problem.message).toMatch(/^"2nd" cannot name a variable: /);
  });

  it('lists every schema problem in file order', () => {
    const { problems } = loadBotText('{\n  "format": 2,\n  "id": "Bad Id",\n  "start": "main",\n  "scripts": {}\n}', 'bot.json');
    expect(problems.map((p) => [p.line, p.pointer])).toEqual([
      [1, '/name'],
      [2, '/format'],
      [3, '/id'],
      [5, '/scripts'],
    ]);
  });
});
