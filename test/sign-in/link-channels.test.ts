// Sign-in by link on the channels other than SMS, over their real webhooks: the phone (the link
// by SMS to the caller, the code keyed at a keypad prompt that waits long enough), Messenger
// through the Bot Framework and through Meta (verifyCode false: the conversation resumes by
// itself with a proactive message, a Graph API message), and web chat (links work there,
// conversation-scoped; credentials stay refused). The sign-in service is Botize's begin/end
// (mode web) as a loopback stand-in with its login page walked with fetch.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/create-engine.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import { botOf, chatWith } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { backToParley, balanceBotSource, botizeToken, codeIn, linkIn, playBotize, type BotizeService } from '../support/link-flow.js';
import { dumpKeys, rawRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';
import { accountSid, appsOnRedis, eventually, fixture, postJson, postMeta, postTwilio, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const standIn = standIns();
const messages = `POST /2010-04-01/Accounts/${accountSid}/Messages.json`;
const id = () => Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);
type Json = Record<string, any>; // fixtures are edited in place; their shape is the fixture file

const webBot = (service: BotizeService, extra: Record<string, unknown> = {}) =>
  botOf(balanceBotSource('link-channels', { mode: 'web', beginUrl: `${service.url}/begin`, endUrl: `${service.url}/end`, ttl: 600, ...extra }, `${service.url}/balance`));

/** The attributes of the answer's <Gather>, and its action. */
function gatherOf(twiml: string): Record<string, string> {
  const tag = /<Gather([^>]*)>/.exec(twiml)?.[1] ?? '';
  return Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
}

describe('on the phone', () => {
  async function call(extra: Record<string, unknown> = {}) {
    const service = playBotize(await standIn());
    const texts: Array<{ from: string; to: string; body: string }> = [];
    const rest = (await standIn()).on(messages, (request) => {
      texts.push({ from: request.form?.From ?? '', to: request.form?.To ?? '', body: request.form?.Body ?? '' });
      return { status: 201, json: { sid: `SM${id()}`, status: 'queued' } };
    });
    const app = await startApp(webBot(service, extra), { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: rest.url });
    const callSid = `CA${id()}`;
    const caller = uniquePhone();
    const post = async (path: string, fields: Record<string, string> = {}) => {
      const answer = await postTwilio(app, path, { ...fixture('twilio-voice-gather.form.json'), CallSid: callSid, From: caller, Digits: '', ...fields });
      expect(answer.status).toBe(200);
      return answer.text;
    };
    const ring = () => postTwilio(app, '/twilio/voice', { ...fixture('twilio-voice-incoming.form.json'), CallSid: callSid, From: caller }).then((answer) => answer.text);
    return { service, texts, app, caller, post, ring };
  }

  it('texts the link to the caller and waits at a keypad prompt for the 6-digit code, then goes on', async () => {
    // verifyCode false is not honoured on the phone: a caller's number can be forged, a code on their screen cannot.
    const { service, texts, app, caller, post, ring } = await call({ verifyCode: false });
    const first = await ring();
    expect(twimlTexts(first, 'Say')).toEqual(['I have sent you a text message with a link to sign in.', 'Once you have signed in, enter the 6-digit code the page shows you.']);
    const gather = gatherOf(first);
    // Keypad only, six digits, and a minute of silence allowed before the question is asked again.
    expect(gather).toMatchObject({ input: 'dtmf', numDigits: '6', timeout: '60', action: '/twilio/voice?n=1' });

    // The link went by SMS, from the number the caller called, to the caller.
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ from: fixture('twilio-voice-incoming.form.json').To, to: caller });
    const link = linkIn([texts[0]!.body]);
    expect(texts[0]!.body).toBe(`Sign in here: ${link}`);
    expect(service.begun[0]).toMatchObject({ user_id: caller, channel: 'phone' });
    // The link is not spoken.
    expect(first).not.toContain(link);

    const page = await backToParley(app, await service.signIn(link));
    const code = codeIn(page.text)!;
    expect(code).toMatch(/^\d{6}$/);

    // Silent for a minute: the question once more, waiting as long; silent again: a reminder.
    const silent = await post('/twilio/voice?n=1&timeout=1');
    expect(twimlTexts(silent, 'Say')).toEqual(['Once you have signed in, enter the 6-digit code the page shows you.']);
    expect(gatherOf(silent)).toMatchObject({ timeout: '60', action: '/twilio/voice?n=1' });
    const reminded = await post('/twilio/voice?n=1&timeout=2');
    expect(twimlTexts(reminded, 'Say')[0]).toBe('Please open the link in the text message I sent you and sign in, then enter the 6-digit code the page shows.');
    expect(gatherOf(reminded)).toMatchObject({ numDigits: '6', timeout: '60', action: '/twilio/voice?n=2' });

    // A wrong code is a try; the right one goes on, and the call ends with the API's answer.
    const wrong = await post('/twilio/voice?n=2', { Digits: code === '000000' ? '111111' : '000000' });
    expect(twimlTexts(wrong, 'Say')[0]).toBe("That code doesn't match. Please check the page and try again.");
    const done = await post('/twilio/voice?n=3', { Digits: code });
    expect(twimlTexts(done, 'Say')).toEqual(['Hello Ada Lovelace, your balance is 42.']);
    expect(done).toContain('<Hangup/>');
    expect(service.to('GET /balance').map((request) => request.headers.authorization)).toEqual([`Bearer ${botizeToken}`]);
    // Nothing more was texted: the conversation went on in the call.
    expect(texts).toHaveLength(1);
  });

  it('says so and takes onFailure when the link cannot be texted', async () => {
    const service = playBotize(await standIn());
    // No TWILIO_ACCOUNT_SID: nothing can be sent outside a webhook's answer.
    const app = await startApp(webBot(service));
    const answer = await postTwilio(app, '/twilio/voice', { ...fixture('twilio-voice-incoming.form.json'), CallSid: `CA${id()}`, From: uniquePhone() });
    expect(twimlTexts(answer.text, 'Say')).toEqual(["Sorry, I couldn't send you the sign-in link by text message.", 'We could not sign you in.']);
    expect(answer.text).toContain('<Hangup/>');
  });
});

describe('Messenger, verifyCode false: the conversation resumes by itself after the page', () => {
  it('through the Bot Framework, with a proactive message to the conversation', async () => {
    const service = playBotize(await standIn());
    const seen: Array<{ path: string; text: string }> = [];
    const connector = (await standIn()).on('POST /v3/conversations/*', (request) => {
      seen.push({ path: request.path, text: String((request.json as Json).text ?? '') });
      return { json: { id: `reply-${id()}` } };
    });
    const app = await startApp(webBot(service, { verifyCode: false }), { BOT_FRAMEWORK_EMULATOR: 'true' });
    const conversation = `conv-${id()}`;
    const base = fixture<Json>('botframework-facebook-message.json');
    const activity = { ...base, id: `act-${id()}`, text: 'hi', serviceUrl: `${connector.url}/`, conversation: { ...base.conversation, id: conversation }, timestamp: new Date().toISOString() };
    expect((await postJson(`${app.url}/api/messages`, activity)).status).toBeLessThan(300);
    await eventually(() => (seen.length >= 2 ? true : undefined));
    const link = linkIn([seen[0]!.text]);
    expect(seen.map((message) => message.text)).toEqual([`Sign in here: ${link}`, 'Once you have signed in there, we will carry on here.']);
    expect(service.begun[0]).toMatchObject({ user_id: base.from.id, channel: 'messenger' });

    const page = await backToParley(app, await service.signIn(link));
    expect(page.status).toBe(200);
    expect(codeIn(page.text)).toBeUndefined();
    expect(page.text).toContain('You can close this page and go back to the chat');
    // No message from the user: Parley posts to the conversation on its own.
    await eventually(() => (seen.length >= 3 ? true : undefined));
    expect(seen[2]).toEqual({ path: expect.stringMatching(new RegExp(`^/v3/conversations/${conversation}/activities`)), text: 'Hello Ada Lovelace, your balance is 42.' });
    expect(service.to('GET /balance')).toHaveLength(1);
  });

  it('through Meta, with a Graph API message to the user', async () => {
    const service = playBotize(await standIn());
    const sent: Array<{ path: string; to: string; text: string }> = [];
    const graph = (await standIn()).on('POST /*', (request) => {
      const body = request.json as Json;
      sent.push({ path: request.path, to: String(body.recipient?.id ?? body.to), text: String(body.message?.text ?? body.text?.body ?? '') });
      return { json: { recipient_id: body.recipient?.id, message_id: `m.${id()}` } };
    });
    const secret = 'meta-app-secret';
    const env = { META_APP_SECRET: secret, META_VERIFY_TOKEN: 'verify', META_ACCESS_TOKEN: 'graph-token', META_PHONE_NUMBER_ID: '100000000000001' };
    const app = await startApp(webBot(service, { verifyCode: false }), { ...env, META_GRAPH_URL: graph.url });
    const psid = `24${id().replace(/\D/g, '').padEnd(14, '7').slice(0, 14)}`;
    const body = fixture<Json>('meta-messenger-text.json');
    Object.assign(body.entry[0].messaging[0], { sender: { id: psid }, timestamp: Date.now(), message: { mid: `m.${id()}`, text: 'hi' } });
    expect((await postMeta(app, body, secret)).status).toBe(200);
    await eventually(() => (sent.length >= 2 ? true : undefined));
    const link = linkIn([sent[0]!.text]);
    expect(sent.map((message) => message.text)).toEqual([`Sign in here: ${link}`, 'Once you have signed in there, we will carry on here.']);

    const page = await backToParley(app, await service.signIn(link));
    expect(page.status).toBe(200);
    await eventually(() => (sent.length >= 3 ? true : undefined));
    expect(sent[2]).toEqual({ path: '/me/messages', to: psid, text: 'Hello Ada Lovelace, your balance is 42.' });
    // The user's token goes to the author's API only, never to Meta.
    expect(graph.requests.every((request) => !JSON.stringify(request).includes(botizeToken))).toBe(true);
  });
});

describe('web chat (the Bot Framework’s webchat channel)', () => {
  async function webChat(bot: ReturnType<typeof botOf>) {
    const seen: string[] = [];
    const connector = (await standIn()).on('POST /v3/conversations/*', (request) => {
      seen.push(String((request.json as Json).text ?? ''));
      return { json: { id: `reply-${id()}` } };
    });
    const app = await startApp(bot, { BOT_FRAMEWORK_EMULATOR: 'true' });
    const base = fixture<Json>('botframework-webchat-message.json');
    const conversation = `webchat-${id()}`;
    const send = async (text: string) => {
      const before = seen.length;
      const activity = { ...base, id: `act-${id()}`, text, serviceUrl: `${connector.url}/`, conversation: { id: conversation }, timestamp: new Date().toISOString() };
      expect((await postJson(`${app.url}/api/messages`, activity)).status).toBeLessThan(300);
      await eventually(() => (seen.length > before ? true : undefined));
      // Replies of one turn come together; give the last a moment.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return seen.slice(before);
    };
    return { app, send };
  }

  it('signs in by link there, the code typed in the chat', async () => {
    const service = playBotize(await standIn());
    const { app, send } = await webChat(webBot(service));
    const first = await send('hi');
    const link = linkIn(first);
    expect(first).toEqual([`Sign in here: ${link}`, 'Once you have signed in, type here the 6-digit code the page shows you.']);
    expect(service.begun[0]).toMatchObject({ channel: 'web' });
    const page = await backToParley(app, await service.signIn(link));
    expect(await send(codeIn(page.text)!)).toEqual(['Hello Ada Lovelace, your balance is 42.']);
  });

  it('still refuses credentials there, by the step’s onFailure', async () => {
    const auth = (await standIn()).on('POST /login', { json: { token: 'never' } });
    const bot = botOf(
      balanceBotSource('web-credentials', { url: `${auth.url}/login`, questions: [{ ask: 'Username?', field: 'username' }], tokenPath: 'token', ttl: 600 }, `${auth.url}/balance`),
    );
    const { send } = await webChat(bot);
    expect(await send('hi')).toEqual(["Sign-in isn't available in this chat. Please use our app, SMS, WhatsApp, Messenger or call us.", 'We could not sign you in.']);
    expect(auth.requests).toHaveLength(0);
  });

  it('keeps the token for the conversation only, even for a user id the Bot Service vouched for', async () => {
    const service = playBotize(await standIn());
    const bot = webBot(service);
    const prefix = testKeyPrefix('webchat-scope');
    const store = createRedisStore({ url: testRedisUrl(), prefix });
    try {
      const engine = createEngine({ bot, store, allowPrivateNetworks: true });
      const signIn = async (chat: ReturnType<typeof chatWith>) => {
        const link = linkIn(await chat.send('hi'));
        const redirect = new URL(await service.signIn(link));
        const outcome = await engine.links.complete(Object.fromEntries(redirect.searchParams));
        if (outcome.kind !== 'signed-in' || outcome.code === undefined) throw new Error(`not signed in: ${outcome.kind}`);
        return chat.send(outcome.code);
      };
      // One user (via the Bot Service), two web chat conversations.
      const first = chatWith(engine, { channel: 'web', user: 'web-user-1', conversation: 'webchat:conv-a' });
      expect(await signIn(first)).toEqual(['Hello Ada Lovelace, your balance is 42.']);
      const second = chatWith(engine, { channel: 'web', user: 'web-user-1', conversation: 'webchat:conv-b' });
      expect(linkIn(await second.send('hi'))).toContain('/login?session=s2');
      // The same user on Messenger, through the Bot Service too, keeps a token for the user.
      const messenger = chatWith(engine, { channel: 'messenger', via: 'botframework', user: 'fb-user-1', conversation: 'facebook:conv-c' });
      expect(await signIn(messenger)).toEqual(['Hello Ada Lovelace, your balance is 42.']);
      const later = chatWith(engine, { channel: 'messenger', via: 'botframework', user: 'fb-user-1', conversation: 'facebook:conv-d' });
      expect(await later.send('hi')).toEqual(['Hello Ada Lovelace, your balance is 42.']);

      const client = rawRedis();
      try {
        const tokens = [...(await dumpKeys(client, `${prefix}:t:`)).keys()];
        expect(tokens).toEqual(expect.arrayContaining([expect.stringContaining(':bank:c:botframework:web:web-user-1:webchat%3Aconv-a:'), expect.stringContaining(':bank:u:botframework:messenger:fb-user-1')]));
        // No token of web-user-1's outlives its conversation.
        expect(tokens.filter((key) => key.includes('web-user-1'))).toEqual([expect.stringContaining(':bank:c:')]);
      } finally {
        await client.quit();
      }
    } finally {
      await store.close();
    }
  });
});
