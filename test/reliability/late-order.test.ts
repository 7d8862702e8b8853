// Faults lose nothing: the replies of one conversation go out in the order its turns ran, even
// when a turn outlives its webhook's deadline and a second message of the same user comes in.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { botOf } from '../support/conversation.js';
import { accountSid, appsOnRedis, eventually, fixture, postTwilio, startSlowService, twimlTexts, uniquePhone } from '../server/support.js';

const startApp = appsOnRedis();

describe('late replies', () => {
  it.each([1, 2, 3])('of a slow turn go out before the answer to the next message (try %i)', async () => {
    const slow = await startSlowService(400, { balance: 42 });
    onTestFinished(() => slow.close());
    const events: string[] = [];
    // Twilio's REST API takes its time to answer, as the real one does from afar: each late
    // message is seen when it arrives, and the next is sent only once this one is answered.
    const twilioApi = await slowTwilio(150, (body) => events.push(`late: ${body}`));
    onTestFinished(() => twilioApi.close());
    const bot = botOf({
      format: 1,
      id: 'late-order',
      name: 'Late order',
      start: 'main',
      triggers: [{ keywords: ['balance'], script: 'balance' }],
      scripts: {
        main: { steps: [{ type: 'question', ask: 'What now?', save: 'what' }, { type: 'message', text: 'Noted: {what}.' }, { type: 'goto', script: 'main' }] },
        balance: {
          steps: [
            { type: 'message', text: 'Checking.' },
            { type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' } },
            { type: 'message', text: 'Your balance is {balance}.' },
            { type: 'goto', script: 'main' },
          ],
        },
      },
    });
    // The first turn outlives its deadline; the second waits for it, and its answer (TwiML, or
    // REST on a busy machine) must come after the first's late replies either way.
    const app = await startApp(bot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: twilioApi.url }, { deadlineMs: 250 });
    const from = uniquePhone();
    const sms = (body: string) => postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}` });
    await sms('hi');
    const first = await sms('balance');
    expect(twimlTexts(first.text, 'Message')).toEqual(['Checking.']);
    const second = await sms('thanks');
    for (const text of twimlTexts(second.text, 'Message')) events.push(`answer: ${text}`);
    await eventually(() => (events.length >= 4 ? true : undefined));
    expect(events.map((event) => event.replace(/^\w+: /, ''))).toEqual(['Your balance is 42.', 'What now?', 'Noted: thanks.', 'What now?']);
  });
});

/** A stand-in for Twilio's Messages API that answers each message after `delayMs`. */
async function slowTwilio(delayMs: number, seen: (body: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      seen(new URLSearchParams(raw).get('Body') ?? '');
      setTimeout(() => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: 'SM1', status: 'queued' })), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a retry of a turn that went past its deadline', () => {
  it('gets what the platform got the first time, not the replies already sent late', async () => {
    const slow = await startSlowService(400, { balance: 42 });
    onTestFinished(() => slow.close());
    const late: string[] = [];
    const twilioApi = await slowTwilio(0, (body) => late.push(body));
    onTestFinished(() => twilioApi.close());
    const bot = botOf({
      format: 1,
      id: 'late-retry',
      name: 'Late retry',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'message', text: 'Checking.' },
            { type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' } },
            { type: 'end', text: 'Your balance is {balance}.' },
          ],
        },
      },
    });
    const app = await startApp(bot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: twilioApi.url }, { deadlineMs: 100 });
    const fields = { ...fixture('twilio-sms.form.json'), From: uniquePhone(), Body: 'hi', MessageSid: `SM${'5'.repeat(32)}` };
    const first = await postTwilio(app, '/twilio/sms', fields);
    expect(twimlTexts(first.text, 'Message')).toEqual(['Checking.']);
    await eventually(() => (late.length >= 1 ? true : undefined));
    expect(late).toEqual(['Your balance is 42.']);
    const retry = await postTwilio(app, '/twilio/sms', fields);
    expect(twimlTexts(retry.text, 'Message')).toEqual(['Checking.']);
    expect(slow.count()).toBe(1);
  });
});
