// Security: an answer too deep or too large to keep is a failed answer. It takes the author's
// onError / onFailure way, the webhook still answers 200, and the conversation stays usable.
import { describe, expect, it } from 'vitest';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';
import { botOf, chatWith, play } from '../support/conversation.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone } from '../server/support.js';

const engineFor = enginesOnRedis('deep-answers');
const standIn = standIns();
const startApp = appsOnRedis();

const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

function apiBot(url: string) {
  return botOf({
    format: 1,
    id: 'deep-api',
    name: 'Deep API',
    start: 'main',
    scripts: {
      main: {
        steps: [
          { type: 'webService', url, save: { profile: 'profile' }, onError: 'down' },
          { type: 'end', text: 'Saved.' },
          { id: 'down', type: 'end', text: 'The API gave an answer I cannot use.' },
        ],
      },
    },
  });
}

describe('answers too deep or too large to save', () => {
  it('takes onError for a saved part 10,000 levels deep, and the webhook answers 200', async () => {
    const service = (await standIn()).on('GET /profile', { text: `{"profile":${nested(10_000)}}`, headers: { 'content-type': 'application/json' } });
    const app = await startApp(apiBot(`${service.url}/profile`));
    const from = uniquePhone();
    const answer = await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: 'hi', MessageSid: `SM${'d'.repeat(32)}` });
    expect(answer.status).toBe(200);
    expect(twimlTexts(answer.text, 'Message')).toEqual(['The API gave an answer I cannot use.']);
  });

  it('takes onError for a saved part larger than 64 KiB, and saves one that fits', async () => {
    const big = (await standIn()).on('GET /profile', { json: { profile: 'x'.repeat(70_000) } });
    await play(chatWith(engineFor(apiBot(`${big.url}/profile`)).engine, { user: uniquePhone() }), `
      > hi
      The API gave an answer I cannot use.
    `);
    const fits = (await standIn()).on('GET /profile', { json: { profile: { a: nested(20) } } });
    await play(chatWith(engineFor(apiBot(`${fits.url}/profile`)).engine, { user: uniquePhone() }), `
      > hi
      Saved.
    `);
  });

  it('refuses a sign-in whose saved part is too deep without caching its token, and asks again next time', async () => {
    const service = (await standIn()).on('POST /login', { text: `{"token":"tok-deep","profile":${nested(10_000)}}`, headers: { 'content-type': 'application/json' } });
    const bot = botWith({
      authTokens: { acme: { url: `${service.url}/login`, questions: [{ ask: 'PIN?', field: 'pin', secret: true }], ttl: 600, tokenPath: 'token', maxAttempts: 1 } },
      steps: [
        { type: 'authToken', token: 'acme', save: { profile: 'profile' }, onFailure: 'no' },
        { type: 'end', text: 'In.' },
        { id: 'no', type: 'end', text: 'Not signed in.' },
      ],
    });
    const { engine, store } = engineFor(bot);
    const user = uniquePhone();
    const chat = chatWith(engine, { user });
    await chat.send('hi');
    const lines = await chat.send('1234');
    expect(lines.at(-1)).toBe('Not signed in.');
    expect(await store.tokens.get(`${bot.id}:acme:u:twilio:sms:${user}`)).toBeUndefined();
    expect(await chat.send('hi again')).toEqual(['PIN?']);
  });
});
