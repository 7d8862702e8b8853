// Which voice speaks a conversation on the phone: the bot's `settings.voices` entry for the
// conversation's language (its exact tag, else its primary subtag), else `settings.voice`.
// A conversation that switches to Spanish needs a voice that speaks Spanish; Twilio's
// `alice` speaks many languages, Amazon Polly and Google voices one each.
import type { Settings } from '../bot/schema.js';
import { primaryLanguage } from './phrasebook.js';

export function voiceFor(settings: Pick<Settings, 'voice' | 'voices'>): (language: string) => string {
  return (language) => {
    const voices = settings.voices;
    if (voices === undefined) return settings.voice;
    const wanted = language.toLowerCase();
    const primary = primaryLanguage(language);
    let forPrimary: string | undefined;
    for (const [tag, voice] of Object.entries(voices)) {
      if (tag.toLowerCase() === wanted) return voice;
      if (tag.toLowerCase() === primary) forPrimary = voice;
    }
    return forPrimary ?? settings.voice;
  };
}
