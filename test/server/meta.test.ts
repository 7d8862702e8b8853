// GET/POST /meta/webhook: the handshake, signed WhatsApp Cloud API and Messenger events from
// the fixtures, replies through a stand-in for the Graph API.
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { appsOnRedis, eventually, fixture, postMeta, uniquePhone } from './support.js';

const startApp = appsOnRedis();
const startStandIn = standIns();

const secret = 'meta-app-secret';
const metaEnv = { META_APP_SECRET: secret, META_VERIFY_TOKEN: 'verify-me', META_ACCESS_TOKEN: 'graph-token', META_PHONE_NUMBER_ID: '100000000000001' };

const bot = botOf({
  format: 1,
  id: 'meta',
  name: 'meta',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hello {user.id}.' },
        {
          type: 'question',
          ask: 'Shall I confirm?',
          save: 'pick',
          input: 'choice',
          options: [
            { label: 'Confirm', value: 'confirm_booking', goto: 'yes' },
            { label: 'Opening hours', value: 'MENU_OPENING_HOURS', goto: 'hours' },
          ],
        },
        { id: 'yes', type: 'end', text: 'Confirmed.' },
        { id: 'hours', type: 'end', text: 'We open at 9.' },
      ],
    },
  },
});

async function graph() {
  const service = await startStandIn();
  service.on('POST /*', { json: { messages: [{ id: 'wamid.out' }] } });
  return service;
}

type Json = Record<string, any>; // fixtures are edited in place; their shape is the fixture file

function whatsapp(name: string, from: string, id = `wamid.${Math.random().toString(36).slice(2)}`): Json {
  const body = fixture<Json>(name);
  const message = body.entry[0].changes[0].value.messages[0];
  message.from = from;
  message.id = id;
  return body;
}

describe('/meta/webhook', () => {
  it('answers the verification handshake only with the right token', async () => {
    const app = await startApp(bot, metaEnv);
    const ok = await fetch(`${app.url}/meta/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${app.url}/meta/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`);
    expect(wrong.status).toBe(403);
  });

  it('is not there without META_APP_SECRET and META_VERIFY_TOKEN', async () => {
    const app = await startApp(bot);
    expect((await fetch(`${app.url}/meta/webhook?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status).toBe(404);
    expect((await postMeta(app, fixture('meta-whatsapp-text.json'), secret)).status).toBe(404);
  });

  it('answers a WhatsApp text at once and replies through the Graph API, the question as buttons', async () => {
    const api = await graph();
    const app = await startApp(bot, { ...metaEnv, META_GRAPH_URL: api.url });
    const from = uniquePhone().slice(1);
    const answer = await postMeta(app, whatsapp('meta-whatsapp-text.json', from), secret);
    expect(answer.status).toBe(200);
    const sent = await eventually(() => (api.requests.length >= 2 ? api.requests : undefined));
    expect(sent.map((r) => r.path)).toEqual(['/100000000000001/messages', '/100000000000001/messages']);
    expect(sent[0]?.headers.authorization).toBe('Bearer graph-token');
    expect(sent[0]?.json).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: from, type: 'text', text: { body: `Hello +${from}.` } });
    expect(sent[1]?.json).toMatchObject({
      to: from,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Shall I confirm?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'confirm_booking', title: 'Confirm' } },
            { type: 'reply', reply: { id: 'MENU_OPENING_HOURS', title: 'Opening hours' } },
          ],
        },
      },
    });

    // The tapped button's id is the choice; a retry of it runs nothing and sends nothing.
    const tap = whatsapp('meta-whatsapp-interactive-reply.json', from);
    await postMeta(app, tap, secret);
    const confirmed = await eventually(() => (api.requests.length >= 3 ? api.requests : undefined));
    expect(confirmed[2]?.json).toMatchObject({ type: 'text', text: { body: 'Confirmed.' } });
    await postMeta(app, tap, secret);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(api.requests).toHaveLength(3);
  });

  it('counts replies the Graph API refused in /metrics', async () => {
    const api = (await startStandIn()).on('POST /*', { status: 500, json: { error: { message: 'down' } } });
    const app = await startApp(bot, { ...metaEnv, META_GRAPH_URL: api.url });
    expect((await postMeta(app, whatsapp('meta-whatsapp-text.json', uniquePhone().slice(1)), secret)).status).toBe(200);
    await eventually(() => (api.requests.length >= 1 ? true : undefined));
    const counted = await eventually(async () => {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      return /parley_reply_deliveries_failed_total\{channel="whatsapp"\} 1/.test(text) ? text : undefined;
    });
    expect(counted).toContain('parley_reply_deliveries_failed_total');
  });

  it('ignores delivery statuses', async () => {
    const api = await graph();
    const app = await startApp(bot, { ...metaEnv, META_GRAPH_URL: api.url });
    expect((await postMeta(app, fixture('meta-whatsapp-status.json'), secret)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(api.requests).toHaveLength(0);
    expect(await app.keys()).toEqual(new Map());
  });

  it('answers Messenger with quick replies, and takes a quick reply payload as the choice', async () => {
    const api = await graph();
    const app = await startApp(bot, { ...metaEnv, META_GRAPH_URL: api.url });
    const psid = String(Date.now());
    const text = fixture<Json>('meta-messenger-text.json');
    text.entry[0].messaging[0].sender.id = psid;
    text.entry[0].messaging[0].message.mid = `m_${psid}_1`;
    await postMeta(app, text, secret);
    const sent = await eventually(() => (api.requests.length >= 2 ? api.requests : undefined));
    expect(sent.map((r) => r.path)).toEqual(['/me/messages', '/me/messages']);
    expect(sent[1]?.json).toEqual({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: {
        text: 'Shall I confirm?',
        quick_replies: [
          { content_type: 'text', title: 'Confirm', payload: 'confirm_booking' },
          { content_type: 'text', title: 'Opening hours', payload: 'MENU_OPENING_HOURS' },
        ],
      },
    });
    const tap = fixture<Json>('meta-messenger-quick-reply.json');
    tap.entry[0].messaging[0].sender.id = psid;
    tap.entry[0].messaging[0].message.mid = `m_${psid}_2`;
    await postMeta(app, tap, secret);
    const answered = await eventually(() => (api.requests.length >= 3 ? api.requests : undefined));
    expect(answered[2]?.json).toMatchObject({ recipient: { id: psid }, message: { text: 'We open at 9.' } });
  });

  it('takes a Messenger postback as a message', async () => {
    const api = await graph();
    const app = await startApp(bot, { ...metaEnv, META_GRAPH_URL: api.url });
    const postback = fixture<Json>('meta-messenger-postback.json');
    const psid = `${Date.now()}7`;
    postback.entry[0].messaging[0].sender.id = psid;
    postback.entry[0].messaging[0].postback.mid = `m_${psid}`;
    await postMeta(app, postback, secret);
    const sent = await eventually(() => (api.requests.length >= 2 ? api.requests : undefined));
    expect(sent[0]?.json).toMatchObject({ recipient: { id: psid }, message: { text: `Hello ${psid}.` } });
  });
});
