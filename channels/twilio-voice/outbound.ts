// A turn's output as Voice TwiML: each message spoken, the question inside a <Gather> whose
// action names the next step, then a <Redirect> that Twilio follows when the caller is silent.
// Everything is said in the conversation's language (TurnOutput.language), with its voice and
// its words: a Spanish caller hears "Pulsa 1 para …" in a Spanish voice.
// TwiML alone: the SDK's index loads its whole REST client (a third of a second at start).
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Phrasebook, Words } from '../../src/runtime/phrasebook.js';
import type { Prompt, Reply, TurnOutput } from '../../src/runtime/turn.js';
import { keypadMenu } from '../choices.js';
import { xmlText } from '../xml-text.js';

type SayAttributes = Parameters<VoiceResponse['say']>[0];

export interface VoiceSettings {
  /** bot.settings.language: the language of a conversation that did not choose its own. */
  language: string;
  /** The voice that speaks a language (bot.settings.voices, else bot.settings.voice). */
  voice(language: string): string;
  /** The bot's words (its `settings.phrases`, else Parley's) in a language. */
  words: Words;
  /** The webhook's path as Twilio reaches it (`/twilio/voice`, behind PUBLIC_URL's path). */
  path: string;
}

/** How one answer is spoken. */
interface Speech {
  attributes: SayAttributes;
  words: Phrasebook;
}

function speechOf(settings: VoiceSettings, language: string | undefined): Speech {
  const spoken = language ?? settings.language;
  // The bot file's language and voice are free text; Twilio's types list the known values.
  return { attributes: { language: spoken, voice: settings.voice(spoken) } as SayAttributes, words: settings.words(spoken) };
}

/**
 * `next` is the step number the caller's answer will carry; `silence` says which no-input this
 * question is on (1: the first asking, 2: asked again).
 */
export function callTwiml(output: TurnOutput, next: number, settings: VoiceSettings, silence: 1 | 2 = 1): string {
  const response = new VoiceResponse();
  const speech = speechOf(settings, output.language);
  sayAll(response, output.replies, speech);
  if (output.ended || output.prompt === undefined) {
    response.hangup();
    return response.toString();
  }
  ask(response, output.prompt, next, settings, speech);
  response.redirect({ method: 'POST' }, `${settings.path}?n=${next}&timeout=${silence}`);
  return response.toString();
}

/** A slow turn: what is ready, then hold the caller and come back for the rest. */
export function holdTwiml(replies: Reply[], step: number, tries: number, settings: VoiceSettings, language?: string): string {
  const response = new VoiceResponse();
  const speech = speechOf(settings, language);
  sayAll(response, replies, speech);
  if (tries === 0) response.say(speech.attributes, speech.words.say('holdOn'));
  response.pause({ length: tries === 0 ? 3 : 2 });
  response.redirect({ method: 'POST' }, `${settings.path}?wait=${step}&w=${tries + 1}`);
  return response.toString();
}

export function givingUpTwiml(settings: VoiceSettings, language?: string): string {
  const response = new VoiceResponse();
  const speech = speechOf(settings, language);
  response.say(speech.attributes, speech.words.say('tooSlow'));
  response.hangup();
  return response.toString();
}

/** Keypad only for `keypad`, `digits` and number-validated sign-in questions; else speech too. */
export function keypadOnly(prompt: Prompt): boolean {
  return prompt.keypad || prompt.input === 'digits';
}

function ask(response: VoiceResponse, prompt: Prompt, next: number, settings: VoiceSettings, speech: Speech): void {
  const gather = response.gather({
    action: `${settings.path}?n=${next}`,
    method: 'POST',
    input: keypadOnly(prompt) ? ['dtmf'] : ['dtmf', 'speech'],
    finishOnKey: '#',
    ...(prompt.numDigits === undefined ? {} : { numDigits: prompt.numDigits }),
    ...(prompt.waitSeconds === undefined ? {} : { timeout: prompt.waitSeconds }),
    // Speech is recognized in the language the question was asked in.
    ...(keypadOnly(prompt) ? {} : { speechTimeout: 'auto', language: speech.attributes.language as NonNullable<Parameters<VoiceResponse['gather']>[0]>['language'] }),
  });
  gather.say(speech.attributes, xmlText(keypadMenu(prompt, speech.words)));
}

function sayAll(response: VoiceResponse, replies: Reply[], speech: Speech): void {
  for (const reply of replies) {
    const spoken = reply.say ?? reply.text;
    if (spoken.trim() !== '') response.say(speech.attributes, xmlText(spoken));
  }
}
