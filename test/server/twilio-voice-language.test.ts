// The phone in the conversation's language, end to end through POST /twilio/voice on Redis:
// <Say> and <Gather> carry the language and its voice, and what the phone says of its own
// (the keypad menu, a wrong answer, holding on) is in the bot's words for that language.
import { describe, expect, it, onTestFinished } from 'vitest';
import { botOf } from '../support/conversation.js';
import { appsOnRedis, fixture, postTwilio, startSlowService, twimlTexts, type TestApp } from './support.js';

const startApp = appsOnRedis();

let calls = 0;
function newCall() {
  const sid = `CA${String(Date.now()).padEnd(24, '0')}${String(++calls).padStart(8, '0')}`;
  const gather = (digits: string): Record<string, string> => ({ ...fixture('twilio-voice-gather.form.json'), CallSid: sid, Digits: digits });
  const { Digits: _d, FinishedOnKey: _f, msg: _m, ...redirect } = gather('');
  return { sid, incoming: { ...fixture('twilio-voice-incoming.form.json'), CallSid: sid }, gather, redirect };
}
const voice = (app: TestApp, path: string, fields: Record<string, string>) => postTwilio(app, path, fields);

/** The language and voice of every <Say> of an answer. */
const sayAttributes = (twiml: string) => [...twiml.matchAll(/<Say ([^>]*)>/g)].map((m) => m[1]);

const spanishBot = botOf({
  format: 1,
  id: 'banco',
  name: 'Banco por teléfono',
  start: 'main',
  settings: { language: 'es-ES', voice: 'Polly.Lucia' },
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Bienvenido al Banco ACME.' },
        {
          id: 'menu',
          type: 'question',
          ask: '¿Qué desea hacer?',
          save: 'pick',
          input: 'choice',
          options: [
            { label: 'Saldo', value: 'saldo', goto: 'saldo' },
            { label: 'Transferencia', value: 'transferencia', goto: 'importe' },
          ],
        },
        { id: 'saldo', type: 'end', text: 'Su saldo es de 10 euros.' },
        { id: 'importe', type: 'question', ask: '¿Cuántos euros?', save: 'importe', input: 'digits', keypad: true },
        { type: 'question', ask: '¿Enviar {importe} euros?', save: 'seguro', input: 'yesno' },
        { type: 'end', text: 'Hecho. Adiós.' },
      ],
    },
  },
});

describe('a Spanish phone bot (settings.language es-ES)', () => {
  it('speaks es-ES with its voice and says the keypad menu, a wrong answer and yes/no in Spanish', async () => {
    const app = await startApp(spanishBot);
    const call = newCall();
    const ringing = await voice(app, '/twilio/voice', call.incoming);
    expect(ringing.status).toBe(200);
    expect(twimlTexts(ringing.text, 'Say')).toEqual(['Bienvenido al Banco ACME.', '¿Qué desea hacer? Pulsa 1 para Saldo. Pulsa 2 para Transferencia.']);
    expect(sayAttributes(ringing.text)).toEqual(['language="es-ES" voice="Polly.Lucia"', 'language="es-ES" voice="Polly.Lucia"']);
    // Speech is recognized in Spanish too.
    expect(ringing.text).toContain('speechTimeout="auto" language="es-ES"');

    const wrong = await voice(app, '/twilio/voice?n=1', call.gather('9'));
    expect(twimlTexts(wrong.text, 'Say')).toEqual(['Elige una de las opciones, por favor.', '¿Qué desea hacer? Pulsa 1 para Saldo. Pulsa 2 para Transferencia.']);

    // Asked again after a silence, still in Spanish.
    const silence = await voice(app, '/twilio/voice?n=2&timeout=1', call.redirect);
    expect(twimlTexts(silence.text, 'Say')).toEqual(['¿Qué desea hacer? Pulsa 1 para Saldo. Pulsa 2 para Transferencia.']);
    expect(sayAttributes(silence.text)).toEqual(['language="es-ES" voice="Polly.Lucia"']);

    const amount = await voice(app, '/twilio/voice?n=2', call.gather('2'));
    expect(twimlTexts(amount.text, 'Say')).toEqual(['¿Cuántos euros? Después pulsa la tecla almohadilla.']);
    const sure = await voice(app, '/twilio/voice?n=3', call.gather('40'));
    expect(twimlTexts(sure.text, 'Say')).toEqual(['¿Enviar 40 euros? Pulsa 1 para sí, 2 para no.']);
    const done = await voice(app, '/twilio/voice?n=4', call.gather('1'));
    expect(twimlTexts(done.text, 'Say')).toEqual(['Hecho. Adiós.']);
    expect(sayAttributes(done.text)).toEqual(['language="es-ES" voice="Polly.Lucia"']);
    expect(done.text).toContain('<Hangup/>');
  });

  it('holds the caller in Spanish through a slow turn', async () => {
    const slow = await startSlowService(600, { saldo: 75 });
    onTestFinished(() => slow.close());
    const bot = botOf({
      format: 1,
      id: 'banco-lento',
      name: 'lento',
      start: 'main',
      settings: { language: 'es-MX', voice: 'Polly.Mia' },
      scripts: { main: { steps: [{ type: 'webService', url: `${slow.url}/saldo`, save: { saldo: 'saldo' } }, { type: 'end', text: 'Su saldo es {saldo}.' }] } },
    });
    const app = await startApp(bot, {}, { voiceDeadlineMs: 150 });
    const held = await voice(app, '/twilio/voice', newCall().incoming);
    expect(twimlTexts(held.text, 'Say')).toEqual(['Un momento, por favor.']);
    expect(sayAttributes(held.text)).toEqual(['language="es-MX" voice="Polly.Mia"']);
  });
});

describe('a language chosen in the conversation', () => {
  const bilingual = botOf({
    format: 1,
    id: 'bilingual',
    name: 'bilingual',
    start: 'main',
    settings: {
      language: 'en-US',
      voice: 'Polly.Joanna',
      voices: { es: 'Polly.Lucia' },
      phrases: { keypadChoice: { es: 'Para {label}, pulsa {number}.' }, invalidChoice: { es: 'Esa tecla no vale.' } },
    },
    scripts: {
      main: {
        steps: [
          {
            type: 'question',
            ask: 'For English, press 1. Para español, pulse 2.',
            save: 'language',
            input: 'choice',
            options: [
              { label: 'English', value: 'en-US' },
              { label: 'Español', value: 'es-ES' },
            ],
          },
          { type: 'question', ask: '{language}: ¿Saldo o tarjetas?', save: 'pick', input: 'choice', options: [{ label: 'Saldo', value: 'saldo' }, { label: 'Tarjetas', value: 'tarjetas' }] },
          { type: 'end', text: 'Adiós.' },
        ],
      },
    },
  });

  it('switches the <Say> language, the voice and the words once the caller picks Spanish', async () => {
    const app = await startApp(bilingual);
    const call = newCall();
    const ringing = await voice(app, '/twilio/voice', call.incoming);
    expect(sayAttributes(ringing.text)).toEqual(['language="en-US" voice="Polly.Joanna"']);
    expect(twimlTexts(ringing.text, 'Say')).toEqual(['For English, press 1. Para español, pulse 2. Press 1 for English. Press 2 for Español.']);

    const spanish = await voice(app, '/twilio/voice?n=1', call.gather('2'));
    expect(sayAttributes(spanish.text)).toEqual(['language="es-ES" voice="Polly.Lucia"']);
    // The bot's own override for Spanish, with its placeholders filled.
    expect(twimlTexts(spanish.text, 'Say')).toEqual(['es-ES: ¿Saldo o tarjetas? Para Saldo, pulsa 1. Para Tarjetas, pulsa 2.']);

    const wrong = await voice(app, '/twilio/voice?n=2', call.gather('7'));
    expect(twimlTexts(wrong.text, 'Say')).toEqual(['Esa tecla no vale.', 'es-ES: ¿Saldo o tarjetas? Para Saldo, pulsa 1. Para Tarjetas, pulsa 2.']);
    expect(sayAttributes(wrong.text)).toEqual(['language="es-ES" voice="Polly.Lucia"', 'language="es-ES" voice="Polly.Lucia"']);
  });

  it('keeps English words for a caller who picks English', async () => {
    const app = await startApp(bilingual);
    const call = newCall();
    await voice(app, '/twilio/voice', call.incoming);
    const english = await voice(app, '/twilio/voice?n=1', call.gather('1'));
    expect(sayAttributes(english.text)).toEqual(['language="en-US" voice="Polly.Joanna"']);
    expect(twimlTexts(english.text, 'Say')).toEqual(['en-US: ¿Saldo o tarjetas? Press 1 for Saldo. Press 2 for Tarjetas.']);
  });
});
