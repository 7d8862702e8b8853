// validPath: the auth service's own verdict (Botize's `valid_credentials`), read from an answer
// that is 200 whether or not the credentials were right. A real Redis keeps tokens and
// counters; a stand-in on loopback answers as a Botize-shaped service does.
import { afterAll, describe, expect, it } from 'vitest';
import { chatWith, play } from '../support/conversation.js';
import { rawRedis } from '../support/redis.js';
import type { StandInService } from '../support/stand-in-service.js';
import { botWith, capturingLog, enginesOnRedis, standIns } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('verdict');
const standIn = standIns();
const raw = rawRedis();
afterAll(async () => {
  await raw.quit();
});

const authData = { session: 'bz_5f0c9a7e21d4b3c8', user: 'ada' };

/** A bot that signs in the Botize way and sends the saved auth data back to an API. */
function botizeBot(service: StandInService, definition: Record<string, unknown> = {}) {
  return botWith({
    authTokens: {
      botize: {
        url: `${service.url}/authenticate_user`,
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 600,
        validPath: 'valid_credentials',
        accountPath: 'user_id',
        tokenPath: 'auth_data_to_save',
        invalidMessage: 'Not accepted. Again.',
        maxAttempts: 5,
        ...definition,
      },
    },
    steps: [
      { type: 'authToken', token: 'botize', onFailure: 'no' },
      { type: 'webService', method: 'POST', url: `${service.url}/summary`, body: { auth_data: '{authtoken}' }, onError: 'down' },
      { type: 'end', text: 'Signed in as {account}.' },
      { id: 'no', type: 'end', text: 'Not signed in.' },
      { id: 'down', type: 'end', text: 'API down.' },
    ],
  });
}

/** The service answers 200 with a token and an account, whatever the verdict says. */
function answering(service: StandInService, verdict: Record<string, unknown>) {
  return service.on('POST /authenticate_user', { json: { ...verdict, user_id: 'Ada Lovelace', auth_data_to_save: authData } }).on('POST /summary', { json: {} });
}

const tryOnce = `
  > hi
  Username?
  > ada
  Password?
  > lovelace
`;

describe('validPath: the verdict decides, whatever the status', () => {
  it.each([
    ['the string "true"', { valid_credentials: 'true' }],
    ['the boolean true', { valid_credentials: true }],
  ])('signs in on %s and keeps an object token as its JSON', async (_label, verdict) => {
    const service = answering(await standIn(), verdict);
    const { engine, store } = engineFor(botizeBot(service));
    await play(chatWith(engine), `${tryOnce}\nSigned in as Ada Lovelace.`);
    const record = await store.tokens.get('test-bot:botize:u:twilio:sms:+15550100001');
    expect(record).toEqual({ token: JSON.stringify(authData), account: 'Ada Lovelace' });
    // The API gets the auth data back as the JSON text it was.
    expect(service.to('POST /summary').map((seen) => seen.json)).toEqual([{ auth_data: JSON.stringify(authData) }]);
  });

  it.each([
    ['the string "false"', { valid_credentials: 'false' }],
    ['a missing verdict', {}],
    ['the boolean false', { valid_credentials: false }],
    ['"True" (only true and "true" count)', { valid_credentials: 'True' }],
    ['the number 1', { valid_credentials: 1 }],
  ])('refuses on %s even with 200 and a token, and counts the try for back-off', async (_label, verdict) => {
    const service = answering(await standIn(), verdict);
    const { engine, store } = engineFor(botizeBot(service));
    await play(chatWith(engine), `${tryOnce}\nNot accepted. Again.\nUsername?`);
    expect(await store.tokens.get('test-bot:botize:u:twilio:sms:+15550100001')).toBeUndefined();
    expect(await store.keyed.get('authfail:test-bot:botize:twilio:sms:+15550100001')).toBe('1');
    expect(service.to('POST /summary')).toEqual([]);
  });

  it('pauses sign-in after refused verdicts as after refusals by status', async () => {
    const service = answering(await standIn(), { valid_credentials: 'false' });
    const { engine } = engineFor(botizeBot(service));
    const chat = chatWith(engine, { user: '+15550100002' });
    const again = '> ada\nPassword?\n> nope\nNot accepted. Again.\nUsername?';
    await play(chat, `> hi\nUsername?\n${again}\n${again}\n${again}`);
    await play(chat, '> ada\nPassword?\n> nope\nToo many attempts. Please wait 30 seconds and try again.\nNot signed in.');
    // The fourth try was not sent: the pause held it back.
    expect(service.to('POST /authenticate_user')).toHaveLength(3);
  });

  it('never saves a secret inside an object token into a variable, nor logs it', async () => {
    const service = answering(await standIn(), { valid_credentials: 'true' });
    const log = capturingLog();
    const bot = botizeBot(service);
    const { engine, prefix } = engineFor(
      botWith({
        authTokens: bot.authTokens,
        steps: [{ type: 'authToken', token: 'botize', save: { session: 'auth_data_to_save.session', who: 'user_id' } }, { type: 'question', ask: '{who} [{session}]', save: 'next' }],
      }),
      { log },
    );
    await play(chatWith(engine), `${tryOnce}\nAda Lovelace []`);
    expect(log.text()).not.toContain(authData.session);
    const sessions = await raw.keys(`${prefix}:{*}:s`);
    expect(sessions).toHaveLength(1);
    expect(await raw.get(sessions[0]!)).not.toContain(authData.session);
  });
});
