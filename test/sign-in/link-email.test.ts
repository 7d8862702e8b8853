// Sign-in by email link (mode email), for real: the user's messages come in through the real
// webhooks (Twilio /twilio/sms for WhatsApp and SMS, Meta /meta/webhook for Messenger), the link
// is mailed through a real SMTP server on loopback and read back with mailparser, headless
// Chromium opens it and presses the button, and a stand-in answering exactly in Bazaarvoice's
// shape confirms it (or mails the link itself, with its own code, through the same SMTP server).
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { createCipher } from '../../src/stores/cipher.js';
import { launchBrowser } from '../support/browser.js';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { mailServers, type ReceivedMail, type TestMailServer } from '../support/smtp.js';
import type { StandInService } from '../support/stand-in-service.js';
import { accountSid, appsOnRedis, eventually, fixture, postMeta, postTwilio, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const standIn = standIns();
const mailServer = mailServers();
const key = Buffer.alloc(32, 9).toString('base64');
const passKey = 'bv-passkey-5e1f';
const metaSecret = 'meta-app-secret-email';
// Looked at by a person before a change to the pages is called done (PARLEY_SCREENSHOTS to keep them elsewhere).
const screenshots = process.env.PARLEY_SCREENSHOTS ?? join(tmpdir(), 'parley-email-sign-in');

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  mkdirSync(screenshots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** Bazaarvoice's encrypted user token for an address: opaque, hex, starting 4d5a as theirs do. */
const userToken = (email: string) => `4d5a${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 40)}`;
const badRequest = { Authentication: null, HasErrors: true, Errors: [{ Message: 'The authentication token is invalid, missing or was already used.', Code: 'ERROR_BAD_REQUEST' }] };

interface Bazaarvoice extends StandInService {
  /** The service's own codes, by address, as its mailed links carry them. */
  codes: Map<string, string>;
  /** Codes used (or expired): confirming one again is ERROR_BAD_REQUEST. */
  used: Set<string>;
}

/**
 * The auth service and the API, answering in Bazaarvoice's shape. With `mailTo`, it also plays
 * hosted email authentication: `POST /hosted/send` mails a link back to `callback_url` with its
 * own code in `authtoken`, through the test's SMTP server.
 */
async function bazaarvoice(mailTo?: TestMailServer): Promise<Bazaarvoice> {
  const service = (await standIn()) as Bazaarvoice;
  service.codes = new Map();
  service.used = new Set();
  const confirmed = (code: string, email: string | undefined) => {
    if (email === undefined || service.used.has(code)) return { json: badRequest };
    service.used.add(code);
    return { json: { Authentication: { User: userToken(email) }, HasErrors: false, Errors: [] } };
  };
  // Parley mailed the link and proved the address: the address is exchanged for the user token.
  service.on('POST /users/authenticate', (request) => {
    if (request.query.PassKey !== passKey) return { status: 403, json: { HasErrors: true, Errors: [{ Code: 'ERROR_ACCESS_DENIED' }] } };
    const form = request.form ?? {};
    return confirmed(`parley:${form.authtoken ?? ''}`, form.email);
  });
  // Bazaarvoice's own authenticateuser: the code from its mailed link, in the query.
  service.on('POST /data/authenticateuser.json', (request) => {
    if (request.query.PassKey !== passKey || request.query.ApiVersion !== '5.4') return { status: 403, json: { HasErrors: true, Errors: [{ Code: 'ERROR_ACCESS_DENIED' }] } };
    const code = request.query.authtoken ?? '';
    const email = [...service.codes].find(([, c]) => c === code)?.[0];
    return confirmed(code, email);
  });
  if (mailTo !== undefined) {
    const transport = createTransport({ url: mailTo.url });
    service.on('POST /hosted/send', (request) => {
      const { email, callback_url: callbackUrl } = request.json as { email: string; callback_url: string };
      const code = `bv${createHash('sha256').update(`${email}:${service.codes.size}`).digest('hex').slice(0, 24)}`;
      service.codes.set(email, code);
      const link = new URL(callbackUrl);
      link.searchParams.set('authtoken', code);
      void transport.sendMail({ from: 'Bazaarvoice <no-reply@bazaarvoice.example>', to: email, subject: 'Confirm your email', text: `Confirm here: ${link.href}` });
      return { json: { HasErrors: false, Errors: [] } };
    });
  }
  service.on('GET /profile', (request) => {
    const user = String(request.headers['x-bv-user'] ?? '');
    return user.startsWith('4d5a') ? { json: { nickname: 'Ada', reviews: 3 } } : { status: 401, json: { HasErrors: true } };
  });
  return service;
}

function emailBot(bv: StandInService, definition: Record<string, unknown> = {}): Bot {
  return botOf({
    format: 1,
    id: 'email-sign-in',
    name: 'Email sign-in',
    start: 'main',
    authTokens: {
      reviews: {
        mode: 'email',
        mail: { from: 'ACME Reviews <no-reply@acme.example>', subject: 'Sign in to ACME Reviews', text: 'Hello,\n\nOpen this link to sign in to ACME Reviews:\n{link}\n\nIt works once, for 10 minutes.' },
        confirmUrl: `${bv.url}/users/authenticate?ApiVersion=5.4&PassKey={secret.BV_PASSKEY}`,
        encoding: 'form',
        fields: { email: '{email}', authtoken: 'parley:{code}' },
        tokenPath: 'Authentication.User',
        errorPath: 'Errors',
        ttl: 3600,
        ...definition,
      },
    },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'reviews', onFailure: 'failed' },
          { type: 'webService', url: `${bv.url}/profile`, headers: { 'x-bv-user': '{authtoken}' }, save: { nickname: 'nickname', reviews: 'reviews' } },
          { type: 'end', text: 'Hello {nickname} ({account}), you have written {reviews} reviews.' },
          { id: 'failed', type: 'end', text: 'We could not sign you in.' },
        ],
      },
    },
  });
}

/** Bazaarvoice's hosted email authentication: the service mails the link, with its own code. */
function hostedBot(bv: StandInService): Bot {
  return emailBot(bv, {
    mail: undefined,
    sendUrl: `${bv.url}/hosted/send?PassKey={secret.BV_PASSKEY}`,
    confirmUrl: `${bv.url}/data/authenticateuser.json?ApiVersion=5.4&authtoken={code}&PassKey={secret.BV_PASSKEY}`,
    encoding: 'json',
    fields: undefined,
  });
}

interface Chatter {
  id: string;
  send(text: string): Promise<string[]>;
}

const sid = () => `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`;

/** A user on Twilio: SMS, or WhatsApp (`From: whatsapp:+…`) on the same route. */
function twilioUser(app: TestApp, channel: 'sms' | 'whatsapp', phone = uniquePhone()): Chatter {
  const from = channel === 'whatsapp' ? `whatsapp:${phone}` : phone;
  const form = fixture(channel === 'whatsapp' ? 'twilio-whatsapp.form.json' : 'twilio-sms.form.json');
  return {
    id: phone,
    async send(text) {
      const answer = await postTwilio(app, '/twilio/sms', { ...form, From: from, Body: text, MessageSid: sid() });
      expect(answer.status).toBe(200);
      return twimlTexts(answer.text, 'Message');
    },
  };
}

/** A Messenger user through Meta: signed events in, the replies through the Graph API stand-in. */
function messengerUser(app: TestApp, graph: StandInService & { texts: string[] }): Chatter {
  const psid = `24${String(Math.floor(Math.random() * 1e12)).padStart(14, '0')}`;
  return {
    id: psid,
    async send(text) {
      const before = graph.texts.length;
      const body = fixture<any>('meta-messenger-text.json');
      Object.assign(body.entry[0].messaging[0], { sender: { id: psid }, timestamp: Date.now(), message: { mid: `m_${sid()}`, text } });
      expect((await postMeta(app, body, metaSecret)).status).toBe(200);
      // Meta's webhook is answered at once; the replies follow through the Graph API.
      await eventually(() => (graph.texts.length > before ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 150));
      return graph.texts.slice(before);
    },
  };
}

async function graphStandIn(): Promise<StandInService & { texts: string[] }> {
  const graph = (await standIn()) as StandInService & { texts: string[] };
  graph.texts = [];
  graph.on('POST /*', (request) => {
    const body = request.json as { message?: { text?: string; attachment?: unknown }; recipient?: { id: string } };
    graph.texts.push(body.message?.text ?? JSON.stringify(body.message));
    return { json: { recipient_id: body.recipient?.id, message_id: 'm_out' } };
  });
  return graph;
}

const linkIn = (mail: ReceivedMail) => /https?:\/\/\S+/.exec(mail.parsed.text ?? '')?.[0] ?? '';

/** What a person does with the mail: opens the link in a browser, presses the button, reads the page. */
async function openAndConfirm(link: string, shot?: string): Promise<{ status: number | undefined; url: string; title: string; code: string | undefined; html: string; landingCsp: string | undefined }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  try {
    const landing = await page.goto(link);
    const landingCsp = landing?.headers()['content-security-policy'];
    if (shot) await page.screenshot({ path: join(screenshots, `${shot}-landing.png`), fullPage: true });
    const [answer] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Confirm sign-in' }).click()]);
    if (shot) await page.screenshot({ path: join(screenshots, `${shot}-done.png`), fullPage: true });
    const code = (await page.locator('.code').count()) > 0 ? (await page.locator('.code').textContent())?.replace(/\s/g, '') : undefined;
    return { status: answer?.status(), url: page.url(), title: await page.title(), code, html: await page.content(), landingCsp };
  } finally {
    await context.close();
  }
}

/** The link opened on another host name for the same server: the tests reach it on its loopback address. */
const local = (app: TestApp, link: string) => new URL(new URL(link).pathname + new URL(link).search, app.url).href;

describe('sign-in by email link', () => {
  it('mails the link through SMTP, the page’s button confirms it, and the code typed on WhatsApp signs in', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const app = await startApp(emailBot(bv), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey, TOKEN_ENCRYPTION_KEY: key }, { cipher: createCipher(key) });
    const ada = twilioUser(app, 'whatsapp');

    expect(await ada.send('hi')).toEqual(['What is your email address?']);
    expect(await ada.send('Ada.Lovelace@Example.com')).toEqual([
      'I have sent a sign-in link to A***@Example.com. Open it and press the button on its page.',
      'Then type here the 6-digit code the page shows you.',
    ]);

    const received = await mail.next();
    // To the address typed, and no one else (nodemailer writes the domain in lower case).
    expect(received.to.map((to) => to.toLowerCase())).toEqual(['ada.lovelace@example.com']);
    expect(received.parsed.from?.text).toBe('"ACME Reviews" <no-reply@acme.example>');
    expect(received.parsed.subject).toBe('Sign in to ACME Reviews');
    expect(received.parsed.html).toBe(false);
    const link = linkIn(received);
    expect(link).toMatch(new RegExp(`^${app.publicUrl}/auth/email/[A-Za-z0-9_-]{43}$`));
    expect(received.parsed.text).toBe(`Hello,\n\nOpen this link to sign in to ACME Reviews:\n${link}\n\nIt works once, for 10 minutes.\n`);

    const page = await openAndConfirm(link, 'whatsapp');
    expect(page.landingCsp).toContain("form-action 'self'");
    expect(page.status).toBe(200);
    expect(page.title).toBe('You are signed in');
    expect(page.url).toMatch(/\/auth\/done$/);
    expect(page.code).toMatch(/^\d{6}$/);
    // Nothing that works is left in the page or its address: no link code, no token, no address.
    expect(page.html).not.toMatch(/<script|4d5a|Lovelace|auth\/email\//);

    // The confirm call got the proven address and Parley's code, with the pass key.
    const [confirm] = bv.to('POST /users/authenticate');
    expect(confirm!.form).toEqual({ email: 'Ada.Lovelace@Example.com', authtoken: `parley:${new URL(link).pathname.split('/').at(-1)}` });

    expect(await ada.send(page.code!)).toEqual(['Hello Ada (A***@Example.com), you have written 3 reviews.']);
    expect(bv.to('GET /profile')[0]!.headers['x-bv-user']).toBe(userToken('ada.lovelace@example.com'));
  });

  it('signs in on Messenger through Meta the same way', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const graph = await graphStandIn();
    const env = { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey, META_APP_SECRET: metaSecret, META_VERIFY_TOKEN: 'verify', META_ACCESS_TOKEN: 'graph-token' };
    const app = await startApp(emailBot(bv), { ...env, META_GRAPH_URL: graph.url });
    const ada = messengerUser(app, graph);

    expect(await ada.send('hi')).toEqual(['What is your email address?']);
    expect((await ada.send('ada@example.com'))[0]).toBe('I have sent a sign-in link to a***@example.com. Open it and press the button on its page.');
    const page = await openAndConfirm(linkIn(await mail.next()), 'messenger');
    expect(page.code).toMatch(/^\d{6}$/);
    expect(await ada.send(page.code!)).toEqual(['Hello Ada (a***@example.com), you have written 3 reviews.']);
    expect(graph.to('POST /me/messages').every((request) => (request.json as { recipient: { id: string } }).recipient.id === ada.id)).toBe(true);
  });

  it('lets the service mail the link (sendUrl), with its own code in the link, and shows ERROR_BAD_REQUEST as a plain page', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice(mail);
    const app = await startApp(hostedBot(bv), { BOT_SECRET_BV_PASSKEY: passKey });
    const ada = twilioUser(app, 'sms');

    await ada.send('hi');
    expect((await ada.send('ada@example.com'))[0]).toBe('I have sent a sign-in link to a***@example.com. Open it and press the button on its page.');
    const [send] = bv.to('POST /hosted/send');
    const callback = String((send!.json as { callback_url: string }).callback_url);
    expect(send!.json).toEqual({ email: 'ada@example.com', callback_url: callback });
    // The service's link comes back to the page with the button, never straight to a sign-in.
    expect(callback).toMatch(new RegExp(`^${app.publicUrl}/auth/email/[A-Za-z0-9_-]{43}$`));

    const first = await mail.next();
    expect(first.parsed.from?.text).toContain('bazaarvoice.example');
    const link = linkIn(first);
    expect(link).toBe(`${callback}?authtoken=${bv.codes.get('ada@example.com')}`);
    // The service's code expired on its side meanwhile: its answer is ERROR_BAD_REQUEST, with a 200.
    bv.used.add(bv.codes.get('ada@example.com')!);
    const refused = await openAndConfirm(link, 'refused');
    expect(refused.status).toBe(400);
    expect(refused.title).toBe('This sign-in link was not accepted');
    expect(refused.html).toContain('Go back to the chat and type "again" to get a new mail.');
    expect(bv.to('POST /data/authenticateuser.json')[0]!.query.authtoken).toBe(bv.codes.get('ada@example.com'));
    // The link is spent: pressing again does not ask the service again.
    const again = await fetch(local(app, link), { method: 'POST' });
    expect(again.status).toBe(410);
    expect(bv.to('POST /data/authenticateuser.json')).toHaveLength(1);

    // In the chat, "again" asks for the address again and a new mail comes.
    expect(await ada.send('again')).toEqual(['What is your email address?']);
    await ada.send('ada@example.com');
    const page = await openAndConfirm(linkIn(await mail.next()));
    expect(page.code).toMatch(/^\d{6}$/);
    expect(await ada.send(page.code!)).toEqual(['Hello Ada (a***@example.com), you have written 3 reviews.']);
  });

  it('burns nothing when a mail scanner opens the link: only the button confirms', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const app = await startApp(emailBot(bv), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey });
    const ada = twilioUser(app, 'sms');
    await ada.send('hi');
    await ada.send('ada@example.com');
    const link = linkIn(await mail.next());

    // A scanner fetches the link (GET and HEAD), as often as it likes.
    for (let i = 0; i < 3; i++) {
      const scanned = await fetch(local(app, link));
      expect(scanned.status).toBe(200);
      const html = await scanned.text();
      expect(html).toContain('<form method="post"');
      expect(html).not.toMatch(/<script|ada@example\.com/);
      expect(scanned.headers.get('content-security-policy')).toContain("form-action 'self'");
    }
    expect((await fetch(local(app, link), { method: 'HEAD' })).status).toBe(200);
    expect(bv.to('POST /users/authenticate')).toHaveLength(0);
    expect(await ada.send('123456')).toEqual([
      "That code doesn't match: open the link in the mail and press its button first, then type the code the page shows.",
      'Then type here the 6-digit code the page shows you.',
    ]);

    // The person then presses the button: it still works, once.
    const page = await openAndConfirm(link);
    expect(page.code).toMatch(/^\d{6}$/);
    expect(bv.to('POST /users/authenticate')).toHaveLength(1);
    expect(await ada.send(page.code!)).toEqual(['Hello Ada (a***@example.com), you have written 3 reviews.']);
  });

  it('answers a replayed, forged or unknown link with a plain page and changes nothing', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const app = await startApp(emailBot(bv), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey });
    const ada = twilioUser(app, 'sms');
    await ada.send('hi');
    await ada.send('ada@example.com');
    const link = local(app, linkIn(await mail.next()));

    for (const forged of ['/auth/email/not-a-code', `/auth/email/${'A'.repeat(43)}`, `/auth/email/${'A'.repeat(43)}?authtoken=x`]) {
      for (const method of ['GET', 'POST']) {
        const answer = await fetch(new URL(forged, app.url), { method });
        expect(answer.status).toBe(400);
        expect(await answer.text()).toContain('This sign-in link is not valid');
      }
    }
    // A mailed link is confirmed only by its button: /auth/callback does not take it.
    const state = new URL(link).pathname.split('/').at(-1)!;
    expect((await fetch(new URL(`/auth/callback?state=${state}`, app.url))).status).toBe(400);
    expect(bv.to('POST /users/authenticate')).toHaveLength(0);

    const confirmed = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('../done');
    // Replayed, by POST or GET: used, and the service is not asked again.
    const replayed = await fetch(link, { method: 'POST' });
    expect(replayed.status).toBe(410);
    expect(await replayed.text()).toContain('This sign-in link was already used');
    expect((await fetch(link)).status).toBe(410);
    expect(bv.to('POST /users/authenticate')).toHaveLength(1);
    // The request log shows the route, never the link's code.
    expect(app.logText()).toContain('"/auth/email/:code"');
    expect(app.logText()).not.toContain(state);
  });

  it('refuses a flood of mails: 5 an hour per user, 3 an hour per address', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const app = await startApp(emailBot(bv, { maxAttempts: 20 }), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey });

    // One user asking again and again, each time for another address.
    const eve = twilioUser(app, 'sms');
    await eve.send('hi');
    for (let i = 1; i <= 5; i++) {
      expect((await eve.send(`target${i}@example.com`))[0]).toMatch(/^I have sent a sign-in link/);
      expect(await eve.send('again')).toEqual(['What is your email address?']);
    }
    const flooded = await eve.send('target6@example.com');
    expect(flooded[0]).toMatch(/^Sorry, too many sign-in mails were sent in the last hour\. Please try again in \d+ minutes\.$/);
    expect(flooded[1]).toBe('We could not sign you in.');
    await eventually(() => (mail.mails.length === 5 ? true : undefined));

    // Many users (many numbers) asking for one address: it gets 3 mails an hour, whatever the spelling.
    const spellings = ['victim@example.com', 'Victim@Example.com', 'VICTIM@example.COM', 'victim@EXAMPLE.com'];
    const answers: string[] = [];
    for (const spelling of spellings) {
      const sender = twilioUser(app, 'sms');
      await sender.send('hi');
      answers.push((await sender.send(spelling))[0]!);
    }
    expect(answers.slice(0, 3).every((answer) => /^I have sent a sign-in link to v\*\*\*@example\.com\./i.test(answer))).toBe(true);
    expect(answers[3]).toMatch(/^Sorry, too many sign-in mails were sent in the last hour/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mail.mails.filter((m) => m.to[0]!.toLowerCase() === 'victim@example.com')).toHaveLength(3);
  });

  it('never writes the address in clear to the log or the store, before or after the sign-in', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    // No TOKEN_ENCRYPTION_KEY either: the pending link is sealed all the same.
    const app = await startApp(emailBot(bv), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey });
    const ada = twilioUser(app, 'sms');
    const address = 'grace.hopper@navy.example';
    const inClear = async () => {
      const dump = [...(await app.keys()).entries()].flat().join('\n').toLowerCase();
      return { store: dump.includes(address) || dump.includes('grace.hopper'), log: app.logText().toLowerCase().includes('grace.hopper') };
    };

    await ada.send('hi');
    await ada.send(address.toUpperCase());
    expect(await inClear()).toEqual({ store: false, log: false });
    const page = await openAndConfirm(linkIn(await mail.next()));
    expect(await inClear()).toEqual({ store: false, log: false });
    expect(await ada.send(page.code!)).toEqual(['Hello Ada (G***@NAVY.EXAMPLE), you have written 3 reviews.']);
    expect(await inClear()).toEqual({ store: false, log: false });
    // What the log says of it: masked.
    expect(app.logText()).toContain('G***@NAVY.EXAMPLE');
  });

  it('with verifyCode false, goes on in the chat by itself after the button', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const sent: string[] = [];
    const rest = await standIn();
    rest.on(`POST /2010-04-01/Accounts/${accountSid}/Messages.json`, (request) => {
      sent.push(`${request.form?.To}: ${request.form?.Body}`);
      return { status: 201, json: { sid: 'SM' + '2'.repeat(32) } };
    });
    const app = await startApp(emailBot(bv, { verifyCode: false }), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey, TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: rest.url });
    const ada = twilioUser(app, 'whatsapp');
    await ada.send('hi');
    expect(await ada.send('ada@example.com')).toEqual([
      'I have sent a sign-in link to a***@example.com. Open it and press the button on its page.',
      'Once you have pressed the button on the page, we will carry on here.',
    ]);
    const page = await openAndConfirm(linkIn(await mail.next()));
    expect(page.code).toBeUndefined();
    expect(page.html).toContain('go back to the chat');
    await eventually(() => (sent.length > 0 ? true : undefined));
    expect(sent).toEqual([`whatsapp:${ada.id}: Hello Ada (a***@example.com), you have written 3 reviews.`]);
  });

  it('keeps the link usable when the confirm service is down, and the same button works once it is back', async () => {
    const mail = await mailServer();
    const bv = await bazaarvoice();
    const app = await startApp(emailBot(bv), { SMTP_URL: mail.url, BOT_SECRET_BV_PASSKEY: passKey });
    const ada = twilioUser(app, 'sms');
    await ada.send('hi');
    await ada.send('ada@example.com');
    const link = local(app, linkIn(await mail.next()));

    bv.on('POST /users/authenticate', { status: 503, text: 'down for maintenance' });
    const down = await fetch(link, { method: 'POST' });
    expect(down.status).toBe(502);
    const html = await down.text();
    expect(html).toContain('Your link still works');
    expect(html).toContain('Confirm sign-in');

    bv.on('POST /users/authenticate', { json: { Authentication: { User: userToken('ada@example.com') }, HasErrors: false, Errors: [] } });
    const back = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(back.status).toBe(303);
  });
});
