// Which words a conversation hears. Its language is the `language` variable, when the
// conversation set one (a `set` step, a question that saves it), else the bot's
// `settings.language`. A phrase is the author's override for that language (`settings.phrases`),
// else Parley's built-in words for the language's primary subtag (`es-ES` → `es`), else English.
import type { Settings } from '../bot/schema.js';
import type { JsonValue } from '../json.js';
import { compileTemplate } from '../templates/template.js';
import { builtInPhrases, fallbackLanguage, type PhraseName } from './phrases.js';

export type PhraseParams = Readonly<Record<string, string | number>>;

/** The words of one conversation, for components and channels alike. */
export interface Phrasebook {
  /** The conversation's language tag (`en-US`, `es-ES`), as the phone's <Say> takes it. */
  readonly language: string;
  say(name: PhraseName, params?: PhraseParams): string;
}

/** The reserved conversation variable that sets the conversation's language. */
export const languageVariable = 'language';

const languageTag = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Whether `text` has the shape of a language tag (`es`, `es-ES`, `zh-Hant-TW`). */
export function isLanguageTag(text: string): boolean {
  return languageTag.test(text);
}

/** `es-ES` → `es`. */
export function primaryLanguage(tag: string): string {
  return (tag.split('-')[0] ?? tag).toLowerCase();
}

/**
 * The conversation's language: its `language` variable when that holds a language tag (a
 * value that is not one, like "Spanish", is ignored rather than sent to Twilio), else the bot's.
 */
export function conversationLanguage(settings: Pick<Settings, 'language'>, vars: Readonly<Record<string, JsonValue>>): string {
  const chosen = vars[languageVariable];
  return typeof chosen === 'string' && isLanguageTag(chosen.trim()) ? chosen.trim() : settings.language;
}

/** Whether Parley has its own words for `language`. */
export function hasBuiltInPhrases(language: string): boolean {
  return Object.hasOwn(builtInPhrases, primaryLanguage(language));
}

/** The author's text for `name` in `language`, if the bot overrides it there. */
export function overriddenPhrase(settings: Pick<Settings, 'phrases'>, language: string, name: PhraseName): string | undefined {
  const override = settings.phrases?.[name];
  if (override === undefined || typeof override === 'string') return override;
  const wanted = language.toLowerCase();
  const primary = primaryLanguage(language);
  let forPrimary: string | undefined;
  for (const [tag, text] of Object.entries(override)) {
    if (tag.toLowerCase() === wanted) return text;
    if (tag.toLowerCase() === primary) forPrimary = text;
  }
  return forPrimary;
}

export function phraseText(settings: Pick<Settings, 'phrases'>, language: string, name: PhraseName): string {
  const words = builtInPhrases[primaryLanguage(language)] ?? builtInPhrases[fallbackLanguage]!;
  return overriddenPhrase(settings, language, name) ?? words[name];
}

/** A phrase in `language`, its placeholders filled from `params`. */
export function phrase(settings: Pick<Settings, 'phrases'>, language: string, name: PhraseName, params?: PhraseParams): string {
  return fill(phraseText(settings, language, name), params);
}

export function phrasebook(settings: Pick<Settings, 'phrases'>, language: string): Phrasebook {
  return { language, say: (name, params) => phrase(settings, language, name, params) };
}

/** Parley's own words for `language`, for where the bot is not at hand (the console's preview). */
export function builtInPhrasebook(language: string = fallbackLanguage): Phrasebook {
  return phrasebook({}, language);
}

/** A bot's words in a conversation's language (TurnOutput.language; absent: the bot's own). */
export type Words = (language: string | undefined) => Phrasebook;

export function botWords(settings: Pick<Settings, 'language' | 'phrases'>): Words {
  return (language) => phrasebook(settings, language ?? settings.language);
}

/** Parley's built-in words, for channels not given a bot's. */
export const builtInWords: Words = (language) => builtInPhrasebook(language);

/** How long to wait, in the words of the back-off phrases: seconds up to two minutes, then minutes. */
export function waitPhrase(seconds: number): { name: PhraseName; params: PhraseParams } {
  return seconds >= 120 ? { name: 'signInThrottledMinutes', params: { minutes: Math.ceil(seconds / 60) } } : { name: 'signInThrottledSeconds', params: { seconds } };
}

// Read with the templates' grammar, so `{{` and `}}` are literal braces here too; the loader
// refuses a placeholder the phrase does not fill.
function fill(text: string, params: PhraseParams = {}): string {
  const { parts } = compileTemplate(text);
  return parts.map((part) => (typeof part === 'string' ? part : Object.hasOwn(params, part.name) ? String(params[part.name]) : `{${part.name}}`)).join('');
}
