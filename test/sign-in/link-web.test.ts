// Sign-in by link, Botize's web-based mode, over the real routes: SMS in through /twilio/sms,
// the begin/end service and the API as loopback stand-ins, the browser's return through
// /auth/callback and /auth/done (followed here by hand; the browser test drives Chromium).
import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { createCipher } from '../../src/stores/cipher.js';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import type { StandInService } from '../support/stand-in-service.js';
import { accountSid, appsOnRedis, botsOnRedis, eventually, fixture, postTwilio, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const startBots = botsOnRedis();
const standIn = standIns();
const key = Buffer.alloc(32, 7).toString('base64');

/** Botize's two calls: begin names the page and data to keep; end judges what the page sent back. */
async function botize(): Promise<StandInService & { begun: Array<Record<string, unknown>> }> {
  const service = await standIn();
  const begun: Array<Record<string, unknown>> = [];
  let n = 0;
  service.on('POST /begin', (request) => {
    begun.push(request.json as Record<string, unknown>);
    n += 1;
    return { json: { auth_url: `${service.url}/login?session=s${n}`, temp_data_to_save: { session: `s${n}` } } };
  });
  service.on('POST /end', (request) => {
    const body = request.json as { saved_temp_data: { session: string }; service_data: Record<string, string> };
    const good = body.service_data.ticket === `ticket-for-${body.saved_temp_data.session}`;
    return { json: good ? { valid_credentials: 'true', user_id: 'ada@example.com', auth_data_to_save: { access: 'tok-web-1', kind: 'bearer' } } : { valid_credentials: false } };
  });
  service.on('GET /balance', (request) => {
    const auth = String(request.headers.authorization ?? '');
    return auth === `Bearer ${JSON.stringify({ access: 'tok-web-1', kind: 'bearer' })}` ? { json: { balance: 42 } } : { status: 401 };
  });
  return Object.assign(service, { begun });
}

function webBot(service: StandInService, extra: Record<string, unknown> = {}): Bot {
  return botOf({
    format: 1,
    id: 'web-sign-in',
    name: 'Web sign-in',
    start: 'main',
    authTokens: { bank: { mode: 'web', beginUrl: `${service.url}/begin`, endUrl: `${service.url}/end`, ttl: 600, ...extra } },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'bank', onFailure: 'failed' },
          { type: 'webService', url: `${service.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
          { type: 'end', text: 'Hello {account}, your balance is {balance}.' },
          { id: 'failed', type: 'end', text: 'We could not sign you in.' },
        ],
      },
    },
  });
}

interface Sms {
  app: TestApp;
  user: string;
  send(text: string): Promise<string[]>;
}

function smsUser(app: TestApp, user = uniquePhone(), path = '/twilio/sms'): Sms {
  return {
    app,
    user,
    async send(text) {
      const answer = await postTwilio(app, path, { ...fixture('twilio-sms.form.json'), From: user, Body: text, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}` });
      return twimlTexts(answer.text, 'Message');
    },
  };
}

const linkIn = (lines: string[]) => /https?:\/\/\S+/.exec(lines.join('\n'))?.[0] ?? '';

/** What the service's page does when the user signs in: back to callback_url with its own query. */
async function returnFrom(service: StandInService & { begun: Array<Record<string, unknown>> }, app: TestApp, n: number, ticket: string) {
  const callback = new URL(String(service.begun[n]!.callback_url));
  callback.searchParams.set('ticket', ticket);
  // The callback URL names PUBLIC_URL; the test reaches the same server on its loopback address.
  const local = new URL(callback.pathname + callback.search, app.url);
  const first = await fetch(local, { redirect: 'manual' });
  if (first.status !== 303) return { status: first.status, text: await first.text(), url: local.href };
  const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
  const done = new URL(first.headers.get('location')!, local);
  const page = await fetch(done, { headers: { cookie } });
  return { status: page.status, text: await page.text(), url: done.href, headers: page.headers };
}

const codeIn = (html: string) => /<p class="code"[^>]*>(\d{3}) (\d{3})<\/p>/.exec(html)?.slice(1).join('');

describe('sign-in by link: Botize’s web-based begin/end', () => {
  it('sends the link, shows a code on a clean page, and signs in when the code is typed', async () => {
    const service = await botize();
    const app = await startApp(webBot(service), { TOKEN_ENCRYPTION_KEY: key }, { cipher: createCipher(key) });
    const ada = smsUser(app);

    const first = await ada.send('hi');
    expect(first[0]).toMatch(/^Sign in here: http:\/\/127\.0\.0\.1:\d+\/login\?session=s1$/);
    expect(first[1]).toBe('Once you have signed in, type here the 6-digit code the page shows you.');
    expect(service.begun[0]).toMatchObject({ user_id: ada.user, channel: 'sms' });
    expect(String(service.begun[0]!.callback_url)).toMatch(/^http:\/\/localhost:\d+\/auth\/callback\?state=[A-Za-z0-9_-]{43}$/);

    const page = await returnFrom(service, app, 0, 'ticket-for-s1');
    expect(page.status).toBe(200);
    expect(page.url).toMatch(/\/auth\/done$/);
    const code = codeIn(page.text);
    expect(code).toMatch(/^\d{6}$/);
    // Nothing that works is left in the page or its address: no state, no ticket, no token.
    expect(page.text).not.toMatch(/state=|ticket|tok-web-1|<script|https?:\/\/(?!127)/);
    expect(page.headers?.get('content-security-policy')).toContain("default-src 'none'");

    expect(await ada.send(code!)).toEqual(['Hello ada@example.com, your balance is 42.']);

    // The store never held the link's state, the ticket or the token in clear.
    const state = new URL(String(service.begun[0]!.callback_url)).searchParams.get('state')!;
    const dump = [...(await app.keys()).entries()].flat().join('\n');
    expect(dump).not.toContain(state);
    expect(dump).not.toContain('tok-web-1');
    expect(dump).not.toContain(code!);
  });

  it('signs in on a server of several bots (BOT_DIR), through the bot\'s own routes', async () => {
    const service = await botize();
    const other = botOf({ format: 1, id: 'other', name: 'Other', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'Other bot.' }] } } });
    const app = await startBots([other, webBot(service)]);
    const ada = smsUser(app, uniquePhone(), '/bots/web-sign-in/twilio/sms');

    const first = await ada.send('hi');
    expect(first[0]).toMatch(/^Sign in here: /);
    expect(String(service.begun[0]!.callback_url)).toMatch(/^http:\/\/localhost:\d+\/bots\/web-sign-in\/auth\/callback\?state=[A-Za-z0-9_-]{43}$/);
    const page = await returnFrom(service, app, 0, 'ticket-for-s1');
    expect([page.status, page.url]).toEqual([200, expect.stringMatching(/\/bots\/web-sign-in\/auth\/done$/)]);
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
  });

  it('answers a replayed, forged, unknown or declined callback with a plain page and changes nothing', async () => {
    const service = await botize();
    const app = await startApp(webBot(service));
    const ada = smsUser(app);
    await ada.send('hi');
    const callback = new URL(String(service.begun[0]!.callback_url));

    const forged = await fetch(new URL('/auth/callback?state=not-ours&ticket=x', app.url));
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This sign-in link is not valid');
    const unknown = await fetch(new URL(`/auth/callback?state=${'A'.repeat(43)}`, app.url));
    expect(unknown.status).toBe(400);
    const declined = await fetch(new URL(`/auth/callback?state=${callback.searchParams.get('state')}&error=access_denied`, app.url));
    expect(declined.status).toBe(400);
    expect(await declined.text()).toContain('Sign-in was not completed');

    // The link still works after all that…
    const page = await returnFrom(service, app, 0, 'ticket-for-s1');
    expect(page.status).toBe(200);
    // …once.
    const again = await returnFrom(service, app, 0, 'ticket-for-s1');
    expect(again.status).toBe(410);
    expect(again.text).toContain('already used');
    expect(again.text).not.toContain(callback.searchParams.get('state')!);
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
  });

  it('signs nobody into the wrong conversation when a link is forwarded', async () => {
    const service = await botize();
    const app = await startApp(webBot(service));
    const ada = smsUser(app);
    const eve = smsUser(app);
    await ada.send('hi');
    await eve.send('hi');
    // Eve opens Ada's link (forwarded to her) and signs in with her own account on the page.
    const page = await returnFrom(service, app, 0, 'ticket-for-s1');
    const code = codeIn(page.text)!;
    // The code is bound to Ada's conversation: in Eve's it is a wrong code…
    expect(await eve.send(code)).toEqual(["That code doesn't match: open the link and sign in first, then type the code the page shows.", 'Once you have signed in, type here the 6-digit code the page shows you.']);
    // …and Ada, who never typed it, is not signed in by what Eve did.
    expect(await ada.send('what now?')).toEqual([
      'Please open the link I sent you to sign in, then type the code it shows here. Say "again" for a new link.',
      'Once you have signed in, type here the 6-digit code the page shows you.',
    ]);
  });

  it('takes a refused sign-in as a try; "again" sends a new link and voids the old one', async () => {
    const service = await botize();
    const app = await startApp(webBot(service));
    const ada = smsUser(app);
    await ada.send('hi');
    const refused = await returnFrom(service, app, 0, 'wrong-ticket');
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Sign-in was refused');
    const again = await ada.send('again');
    expect(linkIn(again)).toContain('session=s2');
    const old = await returnFrom(service, app, 0, 'ticket-for-s1');
    expect(old.status).toBe(410);
    const page = await returnFrom(service, app, 1, 'ticket-for-s2');
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
  });

  it('gives up after wrong codes, by the author’s way', async () => {
    const service = await botize();
    const app = await startApp(webBot(service, { maxAttempts: 2 }));
    const ada = smsUser(app);
    await ada.send('hi');
    await returnFrom(service, app, 0, 'ticket-for-s1');
    expect((await ada.send('000000'))[0]).toBe("That code doesn't match. Please check the page and try again.");
    expect(await ada.send('111111')).toEqual(['We could not sign you in.']);
  });

  it('with verifyCode false, goes on in the chat by itself after the page', async () => {
    const service = await botize();
    const sent: string[] = [];
    const rest = await standIn();
    rest.on(`POST /2010-04-01/Accounts/${accountSid}/Messages.json`, (request) => {
      sent.push(`${request.form?.To}: ${request.form?.Body}`);
      return { status: 201, json: { sid: 'SM' + '1'.repeat(32) } };
    });
    const app = await startApp(webBot(service, { verifyCode: false }), { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: rest.url });
    const ada = smsUser(app);
    expect((await ada.send('hi'))[1]).toBe('Once you have signed in there, we will carry on here.');
    const page = await returnFrom(service, app, 0, 'ticket-for-s1');
    expect(page.status).toBe(200);
    expect(codeIn(page.text)).toBeUndefined();
    expect(page.text).toContain('go back to the chat');
    await eventually(() => (sent.length > 0 ? true : undefined)).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${app.logText()}`);
    });
    expect(sent).toEqual([`${ada.user}: Hello ada@example.com, your balance is 42.`]);
  });

  it('lets the callback land on another instance sharing the store', async () => {
    const service = await botize();
    const one = await startApp(webBot(service), { TOKEN_ENCRYPTION_KEY: key }, { cipher: createCipher(key) });
    const two = await startApp(webBot(service), { TOKEN_ENCRYPTION_KEY: key }, { cipher: createCipher(key), prefix: one.prefix });
    const ada = smsUser(one);
    await ada.send('hi');
    const page = await returnFrom(service, two, 0, 'ticket-for-s1');
    expect(page.status).toBe(200);
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
  });
});
