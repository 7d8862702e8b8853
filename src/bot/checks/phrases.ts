// The bot's own words: overrides in `settings.phrases` fill only the placeholders their phrase
// has, a `language` a step sets is a language tag, and, for every language the bot may speak
// that Parley has no words for, a warning lists the built-in phrases it would still say in
// English (only those the bot can reach: a bot with no yes/no question never says "Press 1
// for yes").
import { hasBuiltInPhrases, isLanguageTag, languageVariable, overriddenPhrase, primaryLanguage } from '../../runtime/phrasebook.js';
import { phraseNames, phraseParameters, type PhraseName } from '../../runtime/phrases.js';
import { placeholders } from '../../templates/template.js';
import type { Bot } from '../bot.js';
import type { BotSource, JsonPath } from '../bot-source.js';
import { allSteps } from '../bot-steps.js';
import type { Problem } from '../problems.js';
import type { Step } from '../schema.js';

export function checkPhrases(bot: Bot, source: BotSource): Problem[] {
  return [...overridePlaceholders(bot, source), ...languagesSet(bot, source), ...untranslated(bot, source)];
}

function overridePlaceholders(bot: Bot, source: BotSource): Problem[] {
  const problems: Problem[] = [];
  for (const [name, override] of Object.entries(bot.settings.phrases ?? {}) as [PhraseName, string | Record<string, string> | undefined][]) {
    if (override === undefined) continue;
    const texts: [JsonPath, string][] =
      typeof override === 'string' ? [[['settings', 'phrases', name], override]] : Object.entries(override).map(([tag, text]) => [['settings', 'phrases', name, tag], text]);
    const allowed = phraseParameters[name] ?? [];
    for (const [path, text] of texts) {
      const tag = path[3];
      if (typeof tag === 'string' && !isLanguageTag(tag)) {
        problems.push(source.error('not-a-language', path, `"${tag}" is not a language tag, so no conversation would hear this: write a tag like "en", "es" or "es-ES"`, { at: 'key' }));
      }
      for (const placeholder of placeholders(text).filter((p) => !allowed.includes(p))) {
        const fills = allowed.length === 0 ? 'fills no placeholders' : `fills only ${allowed.map((p) => `{${p}}`).join(' and ')}`;
        problems.push(source.error('unknown-placeholder', path, `the phrase "${name}" ${fills}, so {${placeholder}} would be said as it is: remove it (write {{ and }} for literal braces)`));
      }
    }
  }
  return problems;
}

/** Language tags a bot may speak in, each with where it is written. */
function spokenLanguages(bot: Bot, source: BotSource): Map<string, JsonPath> {
  const languages = new Map<string, JsonPath>([[bot.settings.language, source.node(['settings', 'language']) ? ['settings', 'language'] : []]]);
  for (const { value, path } of languageValues(bot)) if (isLanguageTag(value) && !languages.has(value)) languages.set(value, path);
  return languages;
}

/** The literal values steps give the `language` variable: `set` steps and the options of questions that save it. */
function languageValues(bot: Bot): { value: string; path: JsonPath }[] {
  const found: { value: string; path: JsonPath }[] = [];
  for (const { step, path } of allSteps(bot)) {
    if (step.type === 'set' && step.vars[languageVariable] !== undefined) {
      const value = step.vars[languageVariable];
      // A template ("{chosen}") is known only when the conversation runs.
      if (placeholders(value).length === 0) found.push({ value: value.trim(), path: [...path, 'vars', languageVariable] });
    }
    if (step.type === 'question' && step.save === languageVariable) step.options?.forEach((o, i) => found.push({ value: o.value.trim(), path: [...path, 'options', i, 'value'] }));
  }
  return found;
}

function languagesSet(bot: Bot, source: BotSource): Problem[] {
  const problems: Problem[] = [];
  if (!isLanguageTag(bot.settings.language)) {
    problems.push(
      source.warning(
        'not-a-language',
        ['settings', 'language'],
        `"${bot.settings.language}" is not a language tag: the phone would send it to Twilio as it is, and Parley's words would be English. Write a tag like "en-US", "es" or "es-ES"`,
      ),
    );
  }
  for (const { value, path } of languageValues(bot)) {
    if (isLanguageTag(value)) continue;
    problems.push(
      source.warning(
        'not-a-language',
        path,
        `"${value}" is not a language tag, so a conversation that sets "language" to it keeps the bot's language (${bot.settings.language}): write a tag like "en", "es" or "es-ES"`,
      ),
    );
  }
  return problems;
}

function untranslated(bot: Bot, source: BotSource): Problem[] {
  const problems: Problem[] = [];
  const reachable = reachablePhrases(bot);
  for (const [language, path] of spokenLanguages(bot, source)) {
    if (hasBuiltInPhrases(language)) continue;
    const english = reachable.filter((name) => overriddenPhrase(bot.settings, language, name) === undefined);
    if (english.length === 0) continue;
    const example = english[0]!;
    problems.push(
      source.warning(
        'untranslated-phrases',
        path,
        `this bot speaks "${language}", for which Parley has no words of its own, so it would still say ${english.length === 1 ? 'this built-in phrase' : `these ${english.length} built-in phrases`} in English: ${english.join(', ')}. ` +
          `Write them in "settings.phrases", e.g. "${example}": { "${primaryLanguage(language)}": "…" } (\`parley validate\` lists what is left)`,
      ),
    );
  }
  return problems;
}

/** The built-in phrases a bot can say, judged from the steps it has. */
export function reachablePhrases(bot: Bot): PhraseName[] {
  const steps = allSteps(bot).map(({ step }) => step);
  const questions = steps.filter((step): step is Extract<Step, { type: 'question' }> => step.type === 'question');
  const signsIn = steps.some((step) => step.type === 'authToken') || steps.some((step) => step.type === 'webService' && step.authToken !== undefined);
  const webCalls = steps.filter((step): step is Extract<Step, { type: 'webService' }> => step.type === 'webService');
  const asksOn = (input: string) => questions.some((q) => q.input === input);
  const definitions = Object.values(bot.authTokens);
  const byQuestions = definitions.filter((d) => d.mode === 'credentials');
  const byLink = definitions.some((d) => d.mode !== 'credentials');
  const byNumber = byQuestions.some((d) => d.validation === 'number');
  const several = definitions.some((d) => d.accounts === 'several');
  const byMail = definitions.some((d) => d.mode === 'email');
  const reachable: Record<PhraseName, boolean> = {
    invalidText: questions.some((q) => q.input === 'text' && q.invalid === undefined),
    invalidNumber: questions.some((q) => q.input === 'number' && q.invalid === undefined),
    invalidDigits: questions.some((q) => q.input === 'digits' && q.invalid === undefined),
    invalidEmail: questions.some((q) => q.input === 'email' && q.invalid === undefined),
    invalidPhone: questions.some((q) => q.input === 'phone' && q.invalid === undefined),
    invalidYesno: questions.some((q) => q.input === 'yesno' && q.invalid === undefined),
    invalidChoice: questions.some((q) => q.input === 'choice' && q.invalid === undefined) || several,
    tooManyTries: questions.some((q) => q.onFailure === undefined),
    signInGaveUp: signsIn,
    signInAgain: webCalls.length > 0 && signsIn,
    signInRefused: byQuestions.some((d) => d.invalidMessage === undefined),
    signInUnavailable: byQuestions.length > 0,
    signInThrottledSeconds: signsIn,
    signInThrottledMinutes: signsIn,
    signInNotHere: steps.some((step) => step.type === 'authToken'),
    digitsOnly: byNumber,
    whichAccount: several,
    anotherAccount: several,
    linkCode: byLink,
    linkCodeSay: byLink,
    linkWaiting: definitions.some((d) => d.mode !== 'credentials' && !d.verifyCode),
    linkTexted: byLink,
    linkNotTexted: byLink,
    linkReminder: byLink,
    linkReminderSay: definitions.some((d) => d.mode === 'oauth' || d.mode === 'web'),
    linkReminderNoCode: definitions.some((d) => (d.mode === 'oauth' || d.mode === 'web') && !d.verifyCode),
    linkNotYet: byLink,
    linkWrongCode: byLink,
    linkExpired: byLink,
    emailNotByPhone: byMail,
    emailSent: byMail,
    emailCode: byMail,
    emailWaiting: definitions.some((d) => d.mode === 'email' && !d.verifyCode),
    emailReminder: byMail,
    emailNotYet: byMail,
    emailUndeliverable: byMail,
    emailFlooded: byMail,
    serviceFailed: webCalls.some((step) => step.onError === undefined) || signsIn,
    runaway: true,
    trouble: true,
    interrupted: true,
    restarted: true,
    // A reload of the bot file can come during any conversation.
    botChanged: true,
    yes: asksOn('yesno'),
    no: asksOn('yesno'),
    listButton: questions.some((q) => q.input === 'choice' && (q.options?.length ?? 0) > 3) || several,
    keypadChoice: asksOn('choice') || several,
    keypadYesNo: asksOn('yesno'),
    keypadPound: questions.some((q) => (q.keypad || q.input === 'digits') && q.numDigits === undefined) || byNumber,
    holdOn: true,
    tooSlow: true,
  };
  return phraseNames.filter((name) => reachable[name]);
}
