// POST /twilio/sms as Twilio calls it: the fixture's fields, signed, with From/Body changed.
import { describe, expect, it, onTestFinished } from 'vitest';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { rawRedis } from '../support/redis.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone, eventually, accountSid, authToken, startSlowService } from './support.js';

const startApp = appsOnRedis();
const startStandIn = standIns();

const menuBot = botOf({
  format: 1,
  id: 'sms-menu',
  name: 'SMS menu',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hello from ACME.' },
        {
          type: 'question',
          ask: 'What do you need?',
          save: 'topic',
          input: 'choice',
          options: [
            { label: 'Opening hours', value: 'hours', goto: 'hours' },
            { label: 'Confirm booking', value: 'confirm_booking', goto: 'confirm' },
          ],
        },
        { id: 'hours', type: 'end', text: 'We open at 9.' },
        { id: 'confirm', type: 'end', text: 'Your booking is confirmed.' },
      ],
    },
  },
});

function smsFrom(from: string, body: string, sid = `SM${String(Math.random()).slice(2, 12).padEnd(32, '0')}`): Record<string, string> {
  return { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: sid, SmsMessageSid: sid, SmsSid: sid };
}

describe('POST /twilio/sms', () => {
  it('answers TwiML with one <Message> per bot message, the question last as a numbered list', async () => {
    const app = await startApp(menuBot);
    const answer = await postTwilio(app, '/twilio/sms', smsFrom(uniquePhone(), 'hi'));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Hello from ACME.', 'What do you need?\n1. Opening hours\n2. Confirm booking']);
  });

  it('takes the number of a choice as the answer and keeps the conversation per sender', async () => {
    const app = await startApp(menuBot);
    const me = uniquePhone();
    await postTwilio(app, '/twilio/sms', smsFrom(me, 'hi'));
    const other = await postTwilio(app, '/twilio/sms', smsFrom(uniquePhone(), '1'));
    expect(twimlTexts(other.text, 'Message')[0]).toBe('Hello from ACME.');
    const answer = await postTwilio(app, '/twilio/sms', smsFrom(me, '1'));
    expect(twimlTexts(answer.text, 'Message')).toEqual(['We open at 9.']);
  });

  it('runs WhatsApp through Twilio as the whatsapp channel, and a button payload as the choice', async () => {
    const app = await startApp(menuBot);
    const number = uniquePhone();
    const first = { ...fixture('twilio-whatsapp.form.json'), From: `whatsapp:${number}` };
    const answer = await postTwilio(app, '/twilio/sms', first);
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Hello from ACME.', 'What do you need?\n1. Opening hours\n2. Confirm booking']);
    // The button's text is not an option's label; its payload is the option's value.
    const tap = { ...fixture('twilio-whatsapp-button.form.json'), From: `whatsapp:${number}`, Body: 'Yes please' };
    const picked = await postTwilio(app, '/twilio/sms', tap);
    expect(twimlTexts(picked.text, 'Message')).toEqual(['Your booking is confirmed.']);
    // Ended: the session is gone (the deliveries' answers stay, under the conversation, for retries).
    expect([...(await app.keys()).keys()].some((key) => key.endsWith(`{twilio:whatsapp:${number}}:s`))).toBe(false);
  });

  it('accepts a WhatsApp user named by an id that is not a phone number', async () => {
    const app = await startApp(menuBot);
    const answer = await postTwilio(app, '/twilio/sms', { ...fixture('twilio-whatsapp.form.json'), From: 'whatsapp:US.13491208655302741918' });
    expect(answer.status).toBe(200);
    expect([...(await app.keys()).keys()].some((key) => key.endsWith('{twilio:whatsapp:US.13491208655302741918}:s'))).toBe(true);
  });

  it('gives a retried MessageSid the same TwiML and runs the turn once', async () => {
    const api = await startStandIn();
    api.on('GET /count', (_req, n) => ({ json: { n } }));
    const countingBot = botOf({
      format: 1,
      id: 'sms-count',
      name: 'counting',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'webService', url: `${api.url}/count`, save: { n: '$.n' } },
            { type: 'question', ask: 'Call number {n}. Again?', save: 'again', input: 'text' },
          ],
        },
      },
    });
    const app = await startApp(countingBot);
    const fields = smsFrom(uniquePhone(), 'hi');
    const first = await postTwilio(app, '/twilio/sms', fields);
    const retry = await postTwilio(app, '/twilio/sms', fields);
    expect(twimlTexts(first.text, 'Message')).toEqual(['Call number 1. Again?']);
    expect(retry.text).toBe(first.text);
    expect(api.to('GET /count')).toHaveLength(1);
  });

  it('keeps a message’s answer for retries a couple of minutes, well past Twilio’s 15 s, not an hour', async () => {
    const app = await startApp(menuBot);
    const number = uniquePhone();
    const fields = smsFrom(number, 'hi');
    await postTwilio(app, '/twilio/sms', fields);
    const key = `${app.prefix}:{twilio:sms:${number}}:d:twilio:${fields.MessageSid}`;
    expect((await app.keys()).get(key)).toMatch(/^=/);
    const raw = rawRedis();
    try {
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(60_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    } finally {
      await raw.quit();
    }
  });

  it('answers a slow turn in time and sends the rest through the REST API', async () => {
    // Answers after 600 ms: past the 200 ms deadline.
    const slow = await startSlowService(600, { balance: 42 });
    onTestFinished(() => slow.close());
    const twilioApi = await startStandIn();
    twilioApi.on(`POST /2010-04-01/Accounts/${accountSid}/Messages.json`, () => ({ status: 201, json: { sid: 'SM1', status: 'queued' } }));
    const slowBot = botOf({
      format: 1,
      id: 'sms-slow',
      name: 'slow',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'message', text: 'Let me look that up.' },
            { type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' }, onError: 'down' },
            { type: 'message', text: 'Your balance is {balance}.' },
            { type: 'end', text: 'Bye.' },
            { id: 'down', type: 'end', text: 'Down.' },
          ],
        },
      },
    });
    const app = await startApp(slowBot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: twilioApi.url }, { deadlineMs: 200 });
    const me = uniquePhone();
    const started = Date.now();
    const answer = await postTwilio(app, '/twilio/sms', smsFrom(me, 'hi'));
    expect(Date.now() - started).toBeLessThan(550);
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Let me look that up.']);

    const sent = await eventually(() => {
      const seen = twilioApi.to(`POST /2010-04-01/Accounts/${accountSid}/Messages.json`);
      return seen.length >= 2 ? seen : undefined;
    });
    expect(sent.map((r) => r.form)).toEqual([
      { From: '+15550009876', To: me, Body: 'Your balance is 42.' },
      { From: '+15550009876', To: me, Body: 'Bye.' },
    ]);
    expect(sent[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
    expect(slow.count()).toBe(1);
  });

  it('counts late replies that Twilio refused in /metrics', async () => {
    const slow = await startSlowService(400, { balance: 42 });
    onTestFinished(() => slow.close());
    const twilioApi = (await startStandIn()).on(`POST /2010-04-01/Accounts/${accountSid}/Messages.json`, { status: 400, json: { code: 21211, message: 'invalid To' } });
    const slowBot = botOf({
      format: 1,
      id: 'sms-refused',
      name: 'refused',
      start: 'main',
      scripts: { main: { steps: [{ type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' } }, { type: 'end', text: 'Your balance is {balance}.' }] } },
    });
    const app = await startApp(slowBot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: twilioApi.url }, { deadlineMs: 100 });
    expect((await postTwilio(app, '/twilio/sms', smsFrom(uniquePhone(), 'hi'))).status).toBe(200);
    await eventually(async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      return /parley_reply_deliveries_failed_total\{channel="sms"\} 1/.test(text) ? true : undefined;
    });
  });
});
