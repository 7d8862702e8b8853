// One suite, every channel (as the store contract runs against every store): a platform's real
// webhook shape in (the shared fixtures), what the user sees out, in order. Each channel is
// driven by a small driver that posts as its platform posts, signed, and collects what reaches
// the user: the webhook's answer (TwiML, expectReplies activities) and what is sent later
// (Twilio's REST API, the Graph API, the Bot Framework connector), all through loopback
// stand-ins; and what reaches a user unprompted (a conversation resumed by a link sign-in).
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { resumeConversation } from '../../src/runtime/resume.js';
import type { TurnRequest } from '../../src/runtime/run-turn.js';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import type { StandInService } from '../support/stand-in-service.js';
import { accountSid, appsOnRedis, eventually, fixture, postJson, postMeta, postTwilio, startSlowService, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const standIn = standIns();

/** Drives one channel: posts a user's message, collects everything the user sees, in order. */
interface Driver {
  start(bot: Bot, deadlineMs?: number): Promise<void>;
  /** Sends `text` as the user; `delivery` repeats an earlier message's platform id (a retry). */
  send(text: string, delivery?: string): Promise<string>;
  /** Everything the user has seen so far, in the order it reached them. */
  seen(): string[];
  /** The app's engine and this user's conversation, to resume it with no webhook. */
  app(): TestApp;
  target(): Pick<TurnRequest, 'user' | 'conversation'>;
  /** Where each message sent outside a webhook's answer went (Twilio `From`→`To`, Graph recipient, connector path). */
  sentTo(): string[];
  /** Where an unprompted message to this user must go. */
  expectedRecipient: string;
}

type Json = Record<string, any>; // fixtures are edited in place; their shape is the fixture file

const id = () => Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);
const messages = `POST /2010-04-01/Accounts/${accountSid}/Messages.json`;

function twilioMessaging(whatsapp: boolean): () => Driver {
  return () => {
    let app: TestApp;
    let rest: StandInService;
    const user = uniquePhone();
    const seen: string[] = [];
    const sentTo: string[] = [];
    const from = whatsapp ? `whatsapp:${user}` : user;
    const ours = fixture(whatsapp ? 'twilio-whatsapp.form.json' : 'twilio-sms.form.json').To!;
    return {
      app: () => app,
      target: () => ({ user: { id: user, channel: whatsapp ? 'whatsapp' : 'sms', via: 'twilio', phone: user }, conversation: `${whatsapp ? 'whatsapp' : 'sms'}:${user}` }),
      sentTo: () => sentTo,
      expectedRecipient: `${ours}->${from}`,
      async start(bot, deadlineMs) {
        rest = (await standIn()).on(messages, (request) => {
          sentTo.push(`${request.form?.From}->${request.form?.To}`);
          seen.push(request.form?.Body ?? '');
          return { status: 201, json: { sid: `SM${id()}`, status: 'queued' } };
        });
        app = await startApp(bot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: rest.url }, { ...(deadlineMs && { deadlineMs }) });
      },
      async send(text, delivery = `SM${id()}`) {
        const answer = await postTwilio(app, '/twilio/sms', { ...fixture(whatsapp ? 'twilio-whatsapp.form.json' : 'twilio-sms.form.json'), From: from, Body: text, MessageSid: delivery });
        // Twilio delivers a retry's answer only if it did not get the first one: the user sees one.
        if (!seen.includes(`answer:${delivery}`)) seen.push(`answer:${delivery}`, ...twimlTexts(answer.text, 'Message'));
        return delivery;
      },
      seen: () => seen.filter((line) => !line.startsWith('answer:')),
    };
  };
}

function meta(kind: 'whatsapp' | 'messenger'): () => Driver {
  return () => {
    let app: TestApp;
    let graph: StandInService;
    const user = kind === 'whatsapp' ? uniquePhone().slice(1) : `24${id().replace(/\D/g, '').padEnd(14, '7').slice(0, 14)}`;
    const seen: string[] = [];
    const sentTo: string[] = [];
    const secret = 'meta-app-secret';
    const businessNumber = fixture<Json>('meta-whatsapp-text.json').entry[0].changes[0].value.metadata.phone_number_id as string;
    return {
      app: () => app,
      target: () =>
        kind === 'whatsapp'
          ? { user: { id: `+${user}`, channel: 'whatsapp', via: 'meta', phone: `+${user}` }, conversation: `whatsapp:+${user}` }
          : { user: { id: user, channel: 'messenger', via: 'meta' }, conversation: `messenger:${user}` },
      sentTo: () => sentTo,
      expectedRecipient: kind === 'whatsapp' ? `/${businessNumber}/messages->${user}` : `/me/messages->${user}`,
      async start(bot, deadlineMs) {
        graph = (await standIn()).on('POST /*', (request) => {
          const body = request.json as Json;
          sentTo.push(`${request.path}->${body.to ?? body.recipient?.id}`);
          seen.push(body.text?.body ?? body.message?.text ?? body.interactive?.body?.text ?? JSON.stringify(body));
          return { json: { messages: [{ id: 'wamid.out' }] } };
        });
        const env = { META_APP_SECRET: secret, META_VERIFY_TOKEN: 'verify', META_ACCESS_TOKEN: 'graph-token', META_PHONE_NUMBER_ID: '100000000000001' };
        app = await startApp(bot, { ...env, META_GRAPH_URL: graph.url }, { ...(deadlineMs && { metaDeadlineMs: deadlineMs }) });
      },
      async send(text, delivery = `${kind === 'whatsapp' ? 'wamid' : 'm'}.${id()}`) {
        const body = fixture<Json>(kind === 'whatsapp' ? 'meta-whatsapp-text.json' : 'meta-messenger-text.json');
        if (kind === 'whatsapp') Object.assign(body.entry[0].changes[0].value.messages[0], { from: user, id: delivery, text: { body: text }, timestamp: String(Math.floor(Date.now() / 1000)) });
        else Object.assign(body.entry[0].messaging[0], { sender: { id: user }, timestamp: Date.now(), message: { mid: delivery, text } });
        expect((await postMeta(app, body, secret)).status).toBe(200);
        return delivery;
      },
      seen: () => seen,
    };
  };
}

function botFramework(): () => Driver {
  return () => {
    let app: TestApp;
    let connector: StandInService;
    const conversation = `conv-${id()}`;
    const seen: string[] = [];
    const sentTo: string[] = [];
    const base = fixture<Json>('botframework-facebook-message.json');
    return {
      app: () => app,
      target: () => ({ user: { id: base.from.id, channel: 'messenger', via: 'emulator' }, conversation: `${base.channelId}:${conversation}` }),
      sentTo: () => sentTo,
      expectedRecipient: `/v3/conversations/${conversation}/activities`,
      async start(bot, deadlineMs) {
        connector = (await standIn()).on('POST /v3/conversations/*', (request) => {
          sentTo.push(request.path.replace(/\/activities\/.*$/, '/activities'));
          seen.push(String((request.json as Json).text ?? ''));
          return { json: { id: `reply-${id()}` } };
        });
        app = await startApp(bot, { BOT_FRAMEWORK_EMULATOR: 'true' }, deadlineMs ? { deadlineMs } : {});
      },
      async send(text, delivery = `act-${id()}`) {
        const activity = { ...base, id: delivery, text, serviceUrl: `${connector.url}/`, conversation: { ...base.conversation, id: conversation }, timestamp: new Date().toISOString() };
        expect((await postJson(`${app.url}/api/messages`, activity)).status).toBeLessThan(300);
        return delivery;
      },
      seen: () => seen,
    };
  };
}

function twilioVoice(): () => Driver {
  return () => {
    let app: TestApp;
    const callSid = `CA${id()}`;
    const from = uniquePhone();
    let next = '/twilio/voice';
    const seen: string[] = [];
    const answered = new Map<string, string>();
    const sentTo: string[] = [];
    const ours = fixture('twilio-voice-incoming.form.json').To!;
    // Twilio follows <Redirect>s (a held caller) until the call waits for input or ends.
    const post = async (path: string, fields: Record<string, string>) => {
      let answer = await postTwilio(app, path, fields);
      const sayAll = (twiml: string) => seen.push(...twimlTexts(twiml, 'Say').filter((text) => text !== 'One moment please.'));
      sayAll(answer.text);
      for (let hops = 0; hops < 50; hops++) {
        const redirect = /<Redirect[^>]*>([^<]+)<\/Redirect>/.exec(answer.text)?.[1]?.replace(/&amp;/g, '&');
        const gather = /<Gather[^>]*action="([^"]+)"/.exec(answer.text)?.[1]?.replace(/&amp;/g, '&');
        if (gather !== undefined) {
          next = gather;
          return answer.text;
        }
        if (redirect === undefined || redirect.includes('timeout=')) return answer.text;
        // A held caller hears a pause before Twilio comes back; a shorter one keeps the test quick.
        const pause = Number(/<Pause length="(\d+)"/.exec(answer.text)?.[1] ?? 0);
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause * 1000, 150)));
        answer = await postTwilio(app, redirect, { ...fixture('twilio-voice-gather.form.json'), CallSid: callSid, From: from, Digits: '' });
        sayAll(answer.text);
      }
      return answer.text;
    };
    return {
      app: () => app,
      target: () => ({ user: { id: from, channel: 'phone', via: 'twilio', phone: from }, conversation: `phone:${callSid}` }),
      sentTo: () => sentTo,
      // A caller cannot be spoken to from outside the call: they get an SMS from the number they called.
      expectedRecipient: `${ours}->${from}`,
      async start(bot, deadlineMs) {
        const rest = (await standIn()).on(messages, (request) => {
          sentTo.push(`${request.form?.From}->${request.form?.To}`);
          seen.push(`SMS: ${request.form?.Body ?? ''}`);
          return { status: 201, json: { sid: `SM${id()}`, status: 'queued' } };
        });
        app = await startApp(bot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: rest.url }, { ...(deadlineMs && { voiceDeadlineMs: deadlineMs }) });
        await post('/twilio/voice', { ...fixture('twilio-voice-incoming.form.json'), CallSid: callSid, From: from });
      },
      async send(text, delivery) {
        // A retry on the phone is the same step's request again; its answer is the same.
        const path = delivery ?? next;
        if (answered.has(path)) {
          await postTwilio(app, path, { ...fixture('twilio-voice-gather-speech.form.json'), CallSid: callSid, From: from, SpeechResult: text });
          return path;
        }
        answered.set(path, text);
        await post(path, { ...fixture('twilio-voice-gather-speech.form.json'), CallSid: callSid, From: from, SpeechResult: text });
        return path;
      },
      seen: () => seen,
    };
  };
}

const drivers: Array<[string, () => Driver]> = [
  ['SMS through Twilio', twilioMessaging(false)],
  ['WhatsApp through Twilio', twilioMessaging(true)],
  ['the phone through Twilio', twilioVoice()],
  ['WhatsApp through Meta', meta('whatsapp')],
  ['Messenger through Meta', meta('messenger')],
  ['Messenger through the Bot Framework', botFramework()],
];

describe.each(drivers)('%s', (_name, makeDriver) => {
  const questionBot = () =>
    botOf({
      format: 1,
      id: 'suite',
      name: 'Suite',
      start: 'main',
      scripts: { main: { steps: [{ type: 'message', text: 'Hello.' }, { type: 'question', ask: 'Your name?', save: 'name' }, { type: 'end', text: 'Thanks, {name}.' }] } },
    });

  it('turns the platform’s message into a turn and the replies into what the user sees, in order', async () => {
    const driver = makeDriver();
    await driver.start(questionBot());
    if (driver.seen().length === 0) await driver.send('hi');
    await eventually(() => (driver.seen().length >= 2 ? true : undefined));
    await driver.send('Ada');
    await eventually(() => (driver.seen().includes('Thanks, Ada.') ? true : undefined));
    expect(driver.seen()).toEqual(['Hello.', 'Your name?', 'Thanks, Ada.']);
  });

  it('runs a retried message once', async () => {
    const api = await startSlowService(0, { n: 1 });
    onTestFinished(() => api.close());
    const bot = botOf({
      format: 1,
      id: 'suite-retry',
      name: 'Suite',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'question', ask: 'Go?', save: 'go' },
            { type: 'webService', url: `${api.url}/count` },
            { type: 'end', text: 'Counted.' },
          ],
        },
      },
    });
    const driver = makeDriver();
    await driver.start(bot);
    if (driver.seen().length === 0) await driver.send('hi');
    await eventually(() => (driver.seen().includes('Go?') ? true : undefined));
    const delivery = await driver.send('yes');
    await eventually(() => (driver.seen().includes('Counted.') ? true : undefined));
    await driver.send('yes', delivery);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.count()).toBe(1);
    expect(driver.seen().filter((line) => line === 'Counted.')).toHaveLength(1);
  });

  it('delivers what a turn produces after the platform’s deadline, in order', async () => {
    const api = await startSlowService(700, { balance: 42 });
    onTestFinished(() => api.close());
    const bot = botOf({
      format: 1,
      id: 'suite-late',
      name: 'Suite',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'question', ask: 'Ready?', save: 'ready' },
            { type: 'message', text: 'Checking.' },
            { type: 'webService', url: `${api.url}/balance`, save: { balance: 'balance' } },
            { type: 'end', text: 'Your balance is {balance}.' },
          ],
        },
      },
    });
    const driver = makeDriver();
    await driver.start(bot, 200);
    if (driver.seen().length === 0) await driver.send('hi');
    await eventually(() => (driver.seen().includes('Ready?') ? true : undefined));
    await driver.send('yes');
    await eventually(() => (driver.seen().includes('Your balance is 42.') ? true : undefined), 8_000);
    expect(driver.seen()).toEqual(['Ready?', 'Checking.', 'Your balance is 42.']);
  });

  it('reaches the user unprompted, where their newest message came from, and goes on', async () => {
    const driver = makeDriver();
    await driver.start(questionBot());
    if (driver.seen().length === 0) await driver.send('hi');
    await eventually(() => (driver.seen().includes('Your name?') ? true : undefined));
    const before = driver.sentTo().length;

    // Re-entering the step it waits on: the bot asks its question again, with no webhook to answer.
    const outcome = await resumeConversation(driver.app().engine, driver.target(), { kind: 'start' });
    expect(outcome).toEqual({ ran: true, delivered: true, messages: 1 });
    expect(driver.sentTo().slice(before)).toEqual([driver.expectedRecipient]);
    const asked = driver.target().user.channel === 'phone' ? 'SMS: Your name?' : 'Your name?';
    expect(driver.seen()).toEqual(['Hello.', 'Your name?', asked]);

    await driver.send('Ada');
    await eventually(() => (driver.seen().includes('Thanks, Ada.') ? true : undefined));
    expect(driver.seen()).toEqual(['Hello.', 'Your name?', asked, 'Thanks, Ada.']);
    // Over: nothing to resume, nothing sent.
    expect(await resumeConversation(driver.app().engine, driver.target(), { kind: 'start' })).toEqual({ ran: false, delivered: false, reason: 'no-conversation' });
  });
});
