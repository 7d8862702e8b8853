// Security: a user's identity includes the platform that vouched for it. A token or session of
// a user who came through one platform is never reached by a request that names the same id
// through another, and an id no platform authenticated never reaches a user's token.
import { describe, expect, it } from 'vitest';
import { conversationKey } from '../../src/runtime/run-turn.js';
import type { Authority } from '../../src/runtime/turn.js';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';
import { chatWith, play } from '../support/conversation.js';
import type { StandInService } from '../support/stand-in-service.js';

const engineFor = enginesOnRedis('identity');
const standIn = standIns();

function signInBot(service: StandInService) {
  return botWith({
    authTokens: {
      acme: {
        url: `${service.url}/login`,
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 3600,
        tokenPath: 'token',
      },
    },
    steps: [
      { type: 'authToken', token: 'acme' },
      { type: 'webService', url: `${service.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
      { type: 'end', text: 'Balance: {balance}.' },
    ],
  });
}

const victim = '2400000000000001';

describe('identity', () => {
  it('keeps a token of a user vouched for by Meta away from the same id sent through the Bot Framework or the Emulator', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-victim' } }).on('GET /balance', { json: { balance: 1200 } });
    const { engine } = engineFor(signInBot(service));
    await play(chatWith(engine, { channel: 'messenger', user: victim, via: 'meta' }), `
      > hi
      Username?
      > ada
      Password?
      > lovelace
      Balance: 1200.
    `);
    for (const via of ['botframework', 'emulator', 'twilio'] satisfies Authority[]) {
      // The same PSID and channel, and even the same conversation name: asked to sign in.
      const other = chatWith(engine, { channel: 'messenger', user: victim, via, conversation: `messenger:${victim}` });
      expect(await other.send('hi')).toEqual(['Username?']);
    }
    expect(service.to('GET /balance').map((seen) => seen.headers.authorization)).toEqual(['Bearer tok-victim']);
  });

  it('keeps the sessions of two authorities apart even when the channels name the conversation alike', () => {
    const user = { id: '+15550100001', channel: 'sms' as const };
    expect(conversationKey({ user: { ...user, via: 'twilio' }, conversation: 'sms:+15550100001' })).not.toBe(
      conversationKey({ user: { ...user, via: 'emulator' }, conversation: 'sms:+15550100001' }),
    );
  });

  it.each(['emulator', 'unverified'] satisfies Authority[])('keeps the token of a %s user for its conversation only, whatever the definition says', async (via) => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-local' } }).on('GET /balance', { json: { balance: 5 } });
    const bot = signInBot(service);
    bot.authTokens.acme!.scope = 'user';
    const { engine, store } = engineFor(bot);
    await play(chatWith(engine, { channel: 'messenger', user: 'u-1', via, conversation: 'facebook:one' }), `
      > hi
      Username?
      > ada
      Password?
      > lovelace
      Balance: 5.
    `);
    expect(await store.tokens.get(`${bot.id}:acme:u:${via}:messenger:u-1`)).toBeUndefined();
    // A new conversation of the same id starts from nothing.
    expect(await chatWith(engine, { channel: 'messenger', user: 'u-1', via, conversation: 'facebook:two' }).send('hi')).toEqual(['Username?']);
  });
});
