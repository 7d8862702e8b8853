import { describe, expect, it } from 'vitest';
import { resolveTarget, stepAt } from '../../src/bot/bot.js';
import { loadBotText } from '../../src/bot/load.js';
import { formatProblem } from '../../src/bot/problems.js';
import { fixturePath, loadFixture } from './fixture-bots.js';

describe('a valid bot', () => {
  it('loads with no problems, defaults filled in and indexes built', async () => {
    const { bot, problems } = await loadFixture('valid.json');
    expect(problems).toEqual([]);
    if (!bot) throw new Error('the bot did not load');
    expect(bot.source).toBe(fixturePath('valid.json'));
    expect(bot.settings).toMatchObject({ sessionTimeout: 900, language: 'en-US' });
    expect(bot.authTokens['acme-login']).toMatchObject({ method: 'POST', json: true, maxAttempts: 3 });
    expect(bot.keywordIndex.get('my balance')).toBe('balance');
  });

  it('resolves the targets its steps name', async () => {
    const { bot } = await loadFixture('valid.json');
    if (!bot) throw new Error('the bot did not load');
    expect(resolveTarget(bot, 'main', 'done')).toEqual({ script: 'main', step: 5 });
    expect(resolveTarget(bot, 'main', 'balance')).toEqual({ script: 'balance', step: 0 });
    expect(resolveTarget(bot, 'balance', 'main#done')).toEqual({ script: 'main', step: 5 });
    expect(resolveTarget(bot, 'balance', 'sorry')).toEqual({ script: 'balance', step: 6 });
    expect(resolveTarget(bot, 'main', 'sorry')).toBeUndefined();
    const fetch = resolveTarget(bot, 'balance', 'fetch');
    expect(fetch && stepAt(bot, fetch)?.type).toBe('webService');
  });

  it('loads with warnings, which do not stop it', () => {
    const text = JSON.stringify({
      format: 1,
      id: 'w',
      name: 'W',
      start: 'main',
      scripts: { main: { steps: [{ type: 'end' }, { type: 'message', text: 'lost' }] } },
    });
    const { bot, problems } = loadBotText(text, 'w.json');
    expect(bot).toBeDefined();
    expect(problems.map((p) => p.severity)).toEqual(['warning']);
  });
});

describe('formatProblem', () => {
  const problem = { file: 'bots/acme.json', line: 12, column: 7, pointer: '/scripts/main/steps/2/goto', message: 'goto names step "x"', code: 'unknown-target' } as const;

  it('writes FILE:LINE:COL: message (pointer)', () => {
    expect(formatProblem({ ...problem, severity: 'error' })).toBe('bots/acme.json:12:7: goto names step "x" (/scripts/main/steps/2/goto)');
  });

  it('marks a warning after the location', () => {
    expect(formatProblem({ ...problem, severity: 'warning' })).toBe('bots/acme.json:12:7: warning: goto names step "x" (/scripts/main/steps/2/goto)');
  });
});
