// What the loader says of a bot's own words: overrides that fill placeholders their phrase does
// not have, a `language` that is not a language tag, and the built-in phrases a bot speaking
// a language Parley has no words for would still say in English.
import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { botText, onlyProblem } from './fixture-bots.js';

const choice = { type: 'question', ask: 'Which?', save: 'pick', input: 'choice', options: [{ label: 'A', value: 'a' }], onFailure: 'main' };

describe('settings.phrases', () => {
  it('takes an override for every language, or one per language tag', () => {
    const text = botText([choice], { settings: { language: 'es-ES', phrases: { invalidChoice: 'Elija una opción.', keypadChoice: { es: 'Para {label}, pulse {number}.', en: 'For {label}, press {number}.' } } } });
    const { bot, problems } = loadBotText(text, 'bot.json');
    expect(problems).toEqual([]);
    expect(bot?.settings.phrases?.invalidChoice).toBe('Elija una opción.');
  });

  it('refuses an unknown phrase name, suggesting the one meant', () => {
    const problem = onlyProblem(loadBotText(botText([choice], { settings: { phrases: { invalidChoise: 'x' } } }), 'bot.json'));
    expect(problem).toMatchObject({ severity: 'error', code: 'schema', pointer: '/settings/phrases/invalidChoise' });
    expect(problem.message).toContain('invalidChoice');
  });

  it('refuses a placeholder the phrase does not fill, where it is written', () => {
    const text = botText([choice], { settings: { phrases: { keypadChoice: { es: 'Pulse {numero} para {label}.' }, trouble: 'Problems, {name}.' } } });
    const { bot, problems } = loadBotText(text, 'bot.json');
    expect(bot).toBeUndefined();
    expect(problems.map((p) => [p.pointer, p.message])).toEqual([
      ['/settings/phrases/keypadChoice/es', 'the phrase "keypadChoice" fills only {number} and {label}, so {numero} would be said as it is: remove it (write {{ and }} for literal braces)'],
      ['/settings/phrases/trouble', 'the phrase "trouble" fills no placeholders, so {name} would be said as it is: remove it (write {{ and }} for literal braces)'],
    ]);
  });

  it('refuses a language key that is not a language tag', () => {
    const problem = onlyProblem(loadBotText(botText([choice], { settings: { phrases: { trouble: { Spanish: 'Problemas.' } } } }), 'bot.json'));
    expect(problem).toMatchObject({ severity: 'error', code: 'not-a-language', pointer: '/settings/phrases/trouble/Spanish' });
    expect(problem.message).toContain('"Spanish" is not a language tag');
  });
});

describe('phrases a bot would still say in English', () => {
  it('says nothing for English or Spanish bots, whose words Parley has', () => {
    for (const language of ['en-US', 'es', 'es-MX']) {
      expect(loadBotText(botText([choice], { settings: { language } }), 'bot.json').problems).toEqual([]);
    }
  });

  it('lists, as one warning on settings.language, the reachable phrases not written for a French bot', () => {
    const text = botText([choice, { type: 'question', ask: 'Sure?', save: 'sure', input: 'yesno' }], {
      settings: { language: 'fr-FR', phrases: { invalidChoice: { fr: 'Choisissez une option.' }, trouble: 'Problème.' } },
    });
    const { bot, problems } = loadBotText(text, 'bot.json');
    expect(bot).toBeDefined();
    const problem = onlyProblem({ problems });
    expect(problem).toMatchObject({ severity: 'warning', code: 'untranslated-phrases', pointer: '/settings/language' });
    expect(problem.message).toBe(
      'this bot speaks "fr-FR", for which Parley has no words of its own, so it would still say these 12 built-in phrases in English: ' +
        'invalidYesno, tooManyTries, runaway, interrupted, restarted, botChanged, yes, no, keypadChoice, keypadYesNo, holdOn, tooSlow. ' +
        'Write them in "settings.phrases", e.g. "invalidYesno": { "fr": "…" } (`parley validate` lists what is left)',
    );
  });

  it('checks every language a conversation may switch to, where it is set', () => {
    const text = botText([{ type: 'set', vars: { language: 'de' } }, { type: 'message', text: 'Hallo.' }], { settings: { language: 'en' } });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ severity: 'warning', code: 'untranslated-phrases', pointer: '/scripts/main/steps/0/vars/language' });
    expect(problem.message).toContain('this bot speaks "de"');
  });

  it('warns where a step sets language to something that is not a language tag', () => {
    const text = botText([{ type: 'question', ask: 'Language?', save: 'language', input: 'choice', options: [{ label: 'Español', value: 'Spanish' }], onFailure: 'main' }], {
      settings: { phrases: { invalidChoice: 'x' } },
    });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ severity: 'warning', code: 'not-a-language', pointer: '/scripts/main/steps/0/options/0/value' });
    expect(problem.message).toContain('"Spanish" is not a language tag');
  });
});

describe('settings.language', () => {
  it('warns when it is not a language tag', () => {
    const problems = loadBotText(botText([{ type: 'message', text: 'Hola.' }], { settings: { language: 'Spanish' } }), 'bot.json').problems;
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['not-a-language', '/settings/language'],
      ['untranslated-phrases', '/settings/language'],
    ]);
  });
});
