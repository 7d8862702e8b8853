// The admin routes over HTTP, on Redis, with real conversations made through POST /twilio/sms
// and POST /twilio/voice and a stand-in auth service on loopback: what an operator sees (and
// never sees), ending a stuck conversation, erasing a user, and what the log keeps of it.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone, type TestApp } from './support.js';

const startApp = appsOnRedis();
const standIn = standIns();
const adminToken = 'admin-token-0123456789abcdef0123456789';

async function bankBot() {
  const service = (await standIn())
    .on('POST /login', (seen) => {
      const body = seen.json as Record<string, string>;
      return body.pin === '1815' ? { json: { token: 'tok-f00dfeed-very-secret', name: 'Ada Lovelace' } } : { status: 401, json: {} };
    })
    .on('GET /profile', { json: { apiKey: 'key-1234567890', city: 'London' } });
  return botOf({
    format: 1,
    id: 'bank',
    name: 'Bank',
    start: 'main',
    authTokens: {
      pin: {
        url: `${service.url}/login`,
        questions: [
          { ask: 'Your PIN?', field: 'pin', secret: true },
          { ask: 'Your account number?', field: 'account' },
        ],
        ttl: 600,
        tokenPath: 'token',
        accountPath: 'name',
      },
    },
    scripts: {
      main: {
        steps: [
          { type: 'message', text: 'Welcome to the bank.' },
          { type: 'authToken', token: 'pin', onFailure: 'no' },
          { type: 'webService', url: `${service.url}/profile`, headers: { authorization: 'Bearer {authtoken}' }, save: { apiKey: 'apiKey', city: 'city' } },
          { id: 'menu', type: 'question', ask: 'Hi {account} from {city}. Anything else?', save: 'more', input: 'yesno' },
          { type: 'end', text: 'Bye.' },
          { id: 'no', type: 'end', text: 'Not signed in.' },
        ],
      },
    },
  });
}

const sms = (app: TestApp, from: string, body: string) => {
  const sid = `SM${String(Math.random()).slice(2, 12).padEnd(32, '0')}`;
  return postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid });
};

/** `token` null: no Authorization header at all. */
const admin = (app: TestApp, method: 'GET' | 'DELETE', path: string, token: string | null = adminToken) =>
  fetch(`${app.url}${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

describe('admin routes without ADMIN_TOKEN', () => {
  it('answer 404, as routes that do not exist, and log no user', async () => {
    const app = await startApp(await bankBot());
    const user = uniquePhone();
    await sms(app, user, 'hi');
    for (const [method, path] of [['GET', `/admin/conversations/sms/${user}`], ['DELETE', `/admin/conversations/sms/${user}`], ['DELETE', `/admin/users/sms/${user}`]] as const) {
      const answer = await admin(app, method, path);
      expect(answer.status).toBe(404);
    }
    expect([...(await app.keys()).keys()].some((key) => key.includes(`{twilio:sms:${user}}:s`))).toBe(true);
    expect(app.logText()).not.toContain(user.slice(1));
  });
});

describe('admin routes with ADMIN_TOKEN', () => {
  it('refuse a missing or wrong bearer token with 401, changing nothing', async () => {
    const app = await startApp(await bankBot(), { ADMIN_TOKEN: adminToken });
    const user = uniquePhone();
    await sms(app, user, 'hi');
    const before = await app.keys();
    for (const token of [null, 'wrong', '', `${adminToken}x`, adminToken.slice(0, -1)]) {
      const answer = await admin(app, 'DELETE', `/admin/users/sms/${user}`, token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    const basic = await fetch(`${app.url}/admin/users/sms/${user}`, { method: 'DELETE', headers: { authorization: `Basic ${adminToken}` } });
    expect(basic.status).toBe(401);
    expect(await app.keys()).toEqual(before);
  });

  it('show where a conversation is, what it waits for and who signed in, masking secrets and never giving a token', async () => {
    const app = await startApp(await bankBot(), { ADMIN_TOKEN: adminToken });
    const user = uniquePhone();
    // Signed in on SMS and at the menu…
    await sms(app, user, 'hi');
    await sms(app, user, '1815');
    expect(twimlTexts((await sms(app, user, '10001')).text, 'Message')).toEqual(['Hi Ada Lovelace from London. Anything else?']);

    const shown = await admin(app, 'GET', `/admin/conversations/sms/${encodeURIComponent(user)}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const text = await shown.text();
    const view = JSON.parse(text);
    expect(view).toMatchObject({
      channel: 'sms',
      user,
      conversations: [
        {
          authority: 'twilio',
          position: { script: 'main', step: 3, stepId: 'menu', stepType: 'question' },
          waiting: { kind: 'question', tries: 0 },
          variables: { apiKey: '••••', city: 'London' },
          accounts: { pin: 'Ada Lovelace' },
          ended: false,
        },
      ],
      accounts: [{ authority: 'twilio', bot: 'bank', definition: 'pin', scope: 'user', account: 'Ada Lovelace' }],
      backOff: [],
    });
    expect(view.conversations[0].expiresInSeconds).toBeGreaterThan(1000);
    expect(view.accounts[0].expiresInSeconds).toBeGreaterThan(500);
    expect(text).not.toContain('tok-f00dfeed');
    expect(text).not.toContain('key-1234567890');
  });

  it('show a sign-in under way with its secret answer masked, and the back-off of refused tries', async () => {
    const app = await startApp(await bankBot(), { ADMIN_TOKEN: adminToken });
    const user = uniquePhone();
    await sms(app, user, 'hi');
    await sms(app, user, '0000');
    await sms(app, user, '10001');
    // Refused once; the PIN of the second try waits, sealed, for the account number.
    await sms(app, user, '9876');
    const text = await (await admin(app, 'GET', `/admin/conversations/sms/${user}`)).text();
    const view = JSON.parse(text);
    expect(view.conversations[0].waiting).toEqual({ kind: 'sign-in', definition: 'pin', question: 1, tries: 1, answers: { pin: '••••' } });
    expect(view.backOff).toEqual([{ authority: 'twilio', bot: 'bank', definition: 'pin', failures: 1, pausedForSeconds: 0 }]);
    expect(text).not.toContain('9876');
    expect(text).not.toContain('v1.');
  });

  it('end a stuck conversation: 204, and the next message starts over', async () => {
    const app = await startApp(await bankBot(), { ADMIN_TOKEN: adminToken });
    const user = uniquePhone();
    await sms(app, user, 'hi');
    // Mid sign-in, where triggers do not reach: only an answer or a wait gets out.
    expect(twimlTexts((await sms(app, user, '0000')).text, 'Message')).toEqual(['Your account number?']);
    const reset = await admin(app, 'DELETE', `/admin/conversations/sms/${user}`);
    expect(reset.status).toBe(204);
    expect(twimlTexts((await sms(app, user, 'hello')).text, 'Message')).toEqual(['Welcome to the bank.', 'Your PIN?']);
    // Nothing else was touched: deliveries still answer their retries.
    expect([...(await app.keys()).keys()].filter((key) => key.includes(':d:')).length).toBe(3);
  });

  it('erase everything kept about a user and leave other users be; the log names the user by a digest only', async () => {
    const app = await startApp(await bankBot(), { ADMIN_TOKEN: adminToken });
    const user = uniquePhone();
    const other = uniquePhone();
    for (const who of [user, other]) {
      await sms(app, who, 'hi');
      await sms(app, who, '1815');
      await sms(app, who, '10001');
    }
    await sms(app, user, 'hi');
    await sms(app, user, '0000');
    await sms(app, user, '1');
    // A call too: its session, scratch values and delivery live under the call, which names the caller.
    const call = { ...fixture('twilio-voice-incoming.form.json'), CallSid: `CA${String(Date.now()).padEnd(32, '7')}`, From: user };
    expect((await postTwilio(app, '/twilio/voice', call)).status).toBe(200);
    const digits = user.slice(1);
    expect([...(await app.keys()).keys()].filter((key) => key.includes(digits)).length).toBeGreaterThan(8);

    const erased = await admin(app, 'DELETE', `/admin/users/sms/${user}`);
    expect(erased.status).toBe(204);
    // The call is the phone channel's: erased by naming the user there.
    expect((await admin(app, 'DELETE', `/admin/users/phone/${user}`)).status).toBe(204);
    const left = [...(await app.keys()).keys()];
    expect(left.filter((key) => key.includes(digits))).toEqual([]);
    expect(left.filter((key) => key.includes(other.slice(1))).length).toBeGreaterThan(4);
    const shown = JSON.parse(await (await admin(app, 'GET', `/admin/conversations/sms/${user}`)).text());
    expect(shown).toEqual({ channel: 'sms', user, conversations: [], accounts: [], backOff: [], otherKeys: 0 });

    const log = app.logText();
    expect(log).not.toContain(digits);
    const digest = createHmac('sha256', adminToken).update(`sms:${user}`).digest('base64url').slice(0, 16);
    expect(log).toContain(`"user":"${digest}"`);
    expect(log).toContain('admin erased a user');
    expect(log).not.toContain(adminToken);
  });

  it('take the number as people write it, and refuse an unknown channel with 400', async () => {
    const app = await startApp(await bankBot(), { ADMIN_TOKEN: adminToken });
    const user = uniquePhone();
    await sms(app, user, 'hi');
    const written = `${user.slice(0, 2)} (${user.slice(2, 5)}) ${user.slice(5, 8)}-${user.slice(8)}`;
    const view = JSON.parse(await (await admin(app, 'GET', `/admin/conversations/sms/${encodeURIComponent(written)}`)).text());
    expect(view.user).toBe(user);
    expect(view.conversations).toHaveLength(1);
    const wrong = await admin(app, 'GET', `/admin/conversations/telegram/${user}`);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'the channel is one of sms, whatsapp, messenger, phone, web' });
    expect((await admin(app, 'GET', `/admin/users/sms/${user}`)).status).toBe(404);
    expect((await admin(app, 'GET', `/admin/conversations/sms/%E0%A4%A`)).status).toBe(400);
    expect(app.logText()).not.toContain(user.slice(1));
  });
});
