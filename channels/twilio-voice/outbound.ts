// A turn's output as Voice TwiML: each message spoken, the question inside a <Gather> whose
// action names the next step, then a <Redirect> that Twilio follows when the caller is silent.
// TwiML alone: the SDK's index loads its whole REST client (a third of a second at start).
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { Prompt, Reply, TurnOutput } from '../../src/runtime/turn.js';
import { keypadMenu } from '../choices.js';
import { xmlText } from '../xml-text.js';

type SayAttributes = Parameters<VoiceResponse['say']>[0];

export interface VoiceSettings {
  /** bot.settings.language and .voice, as <Say> takes them. */
  language: string;
  voice: string;
  /** The webhook's path as Twilio reaches it (`/twilio/voice`, behind PUBLIC_URL's path). */
  path: string;
}

/**
 * `next` is the step number the caller's answer will carry; `silence` says which no-input this
 * question is on (1: the first asking, 2: asked again).
 */
export function callTwiml(output: TurnOutput, next: number, settings: VoiceSettings, silence: 1 | 2 = 1): string {
  const response = new VoiceResponse();
  sayAll(response, output.replies, settings);
  if (output.ended || output.prompt === undefined) {
    response.hangup();
    return response.toString();
  }
  ask(response, output.prompt, next, settings);
  response.redirect({ method: 'POST' }, `${settings.path}?n=${next}&timeout=${silence}`);
  return response.toString();
}

/** A slow turn: what is ready, then hold the caller and come back for the rest. */
export function holdTwiml(replies: Reply[], step: number, tries: number, settings: VoiceSettings): string {
  const response = new VoiceResponse();
  sayAll(response, replies, settings);
  if (tries === 0) response.say(sayAttributes(settings), 'One moment please.');
  response.pause({ length: tries === 0 ? 3 : 2 });
  response.redirect({ method: 'POST' }, `${settings.path}?wait=${step}&w=${tries + 1}`);
  return response.toString();
}

export function givingUpTwiml(settings: VoiceSettings): string {
  const response = new VoiceResponse();
  response.say(sayAttributes(settings), 'Sorry, this is taking too long. Please call again later.');
  response.hangup();
  return response.toString();
}

/** Keypad only for `keypad`, `digits` and number-validated sign-in questions; else speech too. */
export function keypadOnly(prompt: Prompt): boolean {
  return prompt.keypad || prompt.input === 'digits';
}

function ask(response: VoiceResponse, prompt: Prompt, next: number, settings: VoiceSettings): void {
  const gather = response.gather({
    action: `${settings.path}?n=${next}`,
    method: 'POST',
    input: keypadOnly(prompt) ? ['dtmf'] : ['dtmf', 'speech'],
    finishOnKey: '#',
    ...(prompt.numDigits === undefined ? {} : { numDigits: prompt.numDigits }),
    ...(keypadOnly(prompt) ? {} : { speechTimeout: 'auto', language: settings.language as NonNullable<Parameters<VoiceResponse['gather']>[0]>['language'] }),
  });
  gather.say(sayAttributes(settings), xmlText(keypadMenu(prompt)));
}

function sayAll(response: VoiceResponse, replies: Reply[], settings: VoiceSettings): void {
  for (const reply of replies) {
    const spoken = reply.say ?? reply.text;
    if (spoken.trim() !== '') response.say(sayAttributes(settings), xmlText(spoken));
  }
}

// The bot file's language and voice are free text; Twilio's types list the known values.
function sayAttributes(settings: VoiceSettings): SayAttributes {
  return { language: settings.language, voice: settings.voice } as SayAttributes;
}
