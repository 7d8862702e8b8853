// The bot's own words: which language a conversation speaks, which text each phrase is in it,
// and whole conversations on Redis in Spanish, with overrides, and switching language midway.
import { describe, expect, it } from 'vitest';
import { activitiesOf } from '../../channels/bot-framework/activity.js';
import { graphCalls } from '../../channels/meta/outbound.js';
import { botWords, builtInPhrasebook, conversationLanguage, phrase } from '../../src/runtime/phrasebook.js';
import { phraseNames } from '../../src/runtime/phrases.js';
import { voiceFor } from '../../src/runtime/voices.js';
import { chatWith, play } from '../support/conversation.js';
import { botWith, enginesOnRedis } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('phrases');

describe('the phrasebook', () => {
  it('has Spanish words for every built-in phrase, and the same placeholders as the English ones', () => {
    for (const name of phraseNames) {
      const english = builtInPhrasebook('en').say(name);
      const spanish = builtInPhrasebook('es').say(name);
      expect(spanish, name).not.toBe('');
      expect(spanish.match(/\{\w+\}/g), name).toEqual(english.match(/\{\w+\}/g));
    }
    expect(builtInPhrasebook('es').say('yes')).toBe('Sí');
  });

  it('picks words by the primary subtag, and English where Parley has none', () => {
    expect(phrase({}, 'es-ES', 'invalidChoice')).toBe('Elige una de las opciones, por favor.');
    expect(phrase({}, 'ES-mx', 'invalidChoice')).toBe('Elige una de las opciones, por favor.');
    expect(phrase({}, 'fr-FR', 'invalidChoice')).toBe('Please pick one of the options.');
  });

  it('prefers the exact tag, then the primary subtag, of an override; a plain text is for every language', () => {
    const settings = { phrases: { invalidChoice: { 'es-MX': 'Escoja una opción.', es: 'Elija una opción.' }, trouble: 'Oops.' } };
    expect(phrase(settings, 'es-MX', 'invalidChoice')).toBe('Escoja una opción.');
    expect(phrase(settings, 'es-ES', 'invalidChoice')).toBe('Elija una opción.');
    expect(phrase(settings, 'en-US', 'invalidChoice')).toBe('Please pick one of the options.');
    expect(phrase(settings, 'de', 'trouble')).toBe('Oops.');
  });

  it('fills its placeholders, and reads {{ and }} as braces', () => {
    expect(phrase({}, 'es', 'keypadChoice', { number: 2, label: 'Saldo' })).toBe('Pulsa 2 para Saldo.');
    expect(phrase({ phrases: { keypadChoice: '{{{number}}} {label}' } }, 'en', 'keypadChoice', { number: 3, label: 'Cards' })).toBe('{3} Cards');
  });

  it('takes the conversation language from its language variable only when it is a language tag', () => {
    expect(conversationLanguage({ language: 'en-US' }, {})).toBe('en-US');
    expect(conversationLanguage({ language: 'en-US' }, { language: 'es-ES' })).toBe('es-ES');
    expect(conversationLanguage({ language: 'en-US' }, { language: 'Spanish' })).toBe('en-US');
    expect(conversationLanguage({ language: 'en-US' }, { language: 3 })).toBe('en-US');
  });

  it('picks the phone voice of a language from settings.voices, else settings.voice', () => {
    const voice = voiceFor({ voice: 'alice', voices: { es: 'Polly.Lucia', 'es-MX': 'Polly.Mia' } });
    expect([voice('es-ES'), voice('es-MX'), voice('en-US')]).toEqual(['Polly.Lucia', 'Polly.Mia', 'alice']);
  });

  it('gives Messenger, WhatsApp and Bot Framework buttons in the conversation’s words', () => {
    const output = { replies: [], prompt: { text: '¿Seguro?', input: 'yesno' as const, keypad: false, secret: false }, ended: false, language: 'es-ES' };
    const words = botWords({ language: 'en-US', phrases: { no: { es: 'No, gracias' } } });
    expect(activitiesOf(output, words)[0]?.suggestedActions?.actions.map((a) => a.title)).toEqual(['Sí', 'No, gracias']);
    const [messenger] = graphCalls({ kind: 'messenger', psid: '42' }, output, undefined, words);
    expect(JSON.stringify(messenger?.body)).toContain('"title":"Sí"');
    const list = { ...output, prompt: { ...output.prompt, input: 'choice' as const, choices: ['a', 'b', 'c', 'd'].map((c) => ({ label: c, value: c })) } };
    const [whatsapp] = graphCalls({ kind: 'whatsapp', to: '34600000000', phoneNumberId: '1' }, list, undefined, words);
    expect(JSON.stringify(whatsapp?.body)).toContain('"button":"Elegir"');
  });
});

describe('conversations in the bot’s language', () => {
  const menu = {
    type: 'question',
    ask: '¿Qué desea?',
    save: 'pick',
    input: 'choice',
    maxAttempts: 2,
    options: [
      { label: 'Saldo', value: 'saldo' },
      { label: 'Tarjetas', value: 'tarjetas' },
    ],
  };

  it('says built-in phrases in Spanish for a Spanish bot', async () => {
    const { engine } = engineFor(botWith({ steps: [menu, { type: 'end', text: 'Adiós.' }] }));
    engine.bot.settings.language = 'es-ES';
    await play(chatWith(engine), `
      > hola
      ¿Qué desea?
      1. Saldo
      2. Tarjetas
      > nada
      Elige una de las opciones, por favor.
      ¿Qué desea?
      1. Saldo
      2. Tarjetas
      > tampoco
      Lo siento, no he entendido tu respuesta. Lo dejamos aquí por ahora.
    `);
  });

  it('says the bot’s own words where it overrides a phrase', async () => {
    const { engine } = engineFor(botWith({ steps: [menu, { type: 'end', text: 'Adiós.' }] }));
    Object.assign(engine.bot.settings, { language: 'es-ES', phrases: { invalidChoice: 'Elija 1 o 2.', tooManyTries: { es: 'Le paso con un agente.' } } });
    await play(chatWith(engine), '> hola\n¿Qué desea?\n1. Saldo\n2. Tarjetas\n> 7\nElija 1 o 2.\n¿Qué desea?\n1. Saldo\n2. Tarjetas\n> 8\nLe paso con un agente.');
  });

  it('switches to Spanish once a set step gives the conversation its language, and keeps it on the next turn', async () => {
    const { engine, store } = engineFor(
      botWith({
        steps: [
          { type: 'question', ask: 'Sure?', save: 'sure', input: 'yesno' },
          { type: 'set', vars: { language: 'es' } },
          { type: 'question', ask: '¿Seguro?', save: 'again', input: 'yesno' },
          { type: 'end', text: 'Vale.' },
        ],
      }),
    );
    const chat = chatWith(engine);
    await play(chat, '> hi\nSure?\n> what\nPlease answer yes or no.\nSure?\n> yes\n¿Seguro?\n> qué\nResponde sí o no, por favor.\n¿Seguro?');
    expect(chat.last?.language).toBe('es');
    const stored = await store.sessions.get('twilio:sms:+15550100001');
    expect(JSON.parse(stored!.value).vars.language).toBe('es');
    await play(chat, '> sí\nVale.');
  });
});
