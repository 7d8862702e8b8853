// POST /api/messages in Emulator mode (no MicrosoftAppId, BOT_FRAMEWORK_EMULATOR=true): the
// fixtures' activities, with serviceUrl pointing at a stand-in for the Bot Framework Connector
// that records replies; and what the route refuses without credentials or off loopback.
// Tokens of the Bot Service are in bot-framework-auth.test.ts.
import { describe, expect, it, onTestFinished } from 'vitest';
import { isLoopbackAddress } from '../../channels/bot-framework/webhook.js';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import type { SeenRequest } from '../support/stand-in-service.js';
import { closedPort } from './every-route.js';
import { appsOnRedis, eventually, fixture, postJson, postMeta, startSlowService } from './support.js';

const startApp = appsOnRedis();
const startStandIn = standIns();

const bot = botOf({
  format: 1,
  id: 'bf',
  name: 'bf',
  start: 'main',
  authTokens: {
    login: { url: 'http://127.0.0.1:9/login', questions: [{ ask: 'Username?', field: 'username' }], ttl: 60, tokenPath: 'token' },
  },
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hi {user.channel} user.' },
        {
          type: 'question',
          ask: 'Which one?',
          save: 'pick',
          input: 'choice',
          options: [
            { label: 'Opening hours', value: 'MENU_OPENING_HOURS', goto: 'hours' },
            { label: 'Sign in', value: 'SIGN_IN', goto: 'signin' },
          ],
        },
        { id: 'hours', type: 'end', text: 'We open at 9.' },
        { id: 'signin', type: 'authToken', token: 'login', onFailure: 'nosignin' },
        { type: 'end', text: 'Signed in.' },
        { id: 'nosignin', type: 'end', text: 'No sign-in then.' },
      ],
    },
  },
});

const emulator = { BOT_FRAMEWORK_EMULATOR: 'true' };

const metricsText = async (app: { url: string }) => (await fetch(`${app.url}/metrics`)).text();

type Activity = Record<string, unknown> & { conversation: { id: string }; id: string };

async function connector() {
  const service = await startStandIn();
  service.on('POST /v3/conversations/*', (req) => ({ json: { id: `reply-${req.path.length}` } }));
  const replies = () => service.to('POST /v3/conversations/*').map((r: SeenRequest) => r.json as Record<string, unknown>);
  return { service, replies };
}

function activity(name: string, serviceUrl: string, changes: Record<string, unknown> = {}): Activity {
  const unique = Math.random().toString(36).slice(2, 10);
  const base = fixture<Activity>(name);
  return { ...base, serviceUrl: `${serviceUrl}/`, id: `${base.id}-${unique}`, conversation: { ...base.conversation, id: `${base.conversation.id}-${unique}` }, ...changes };
}

describe('POST /api/messages', () => {
  it('answers a Facebook activity as the messenger channel, replies posted to its serviceUrl', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const sent = activity('botframework-facebook-message.json', service.url);
    const answer = await postJson(`${app.url}/api/messages`, sent);
    expect(answer.status).toBe(200);
    const got = await eventually(() => (replies().length >= 2 ? replies() : undefined));
    expect(got.map((a) => a.text)).toEqual(['Hi messenger user.', 'Which one?']);
    expect(got[1]?.suggestedActions).toEqual({
      to: [],
      actions: [
        { type: 'imBack', title: 'Opening hours', value: 'MENU_OPENING_HOURS' },
        { type: 'imBack', title: 'Sign in', value: 'SIGN_IN' },
      ],
    });
    const paths = service.to('POST /v3/conversations/*').map((r) => decodeURIComponent(r.path));
    expect(paths[0]).toBe(`/v3/conversations/${sent.conversation.id}/activities/${sent.id}`);
    expect(got[0]?.recipient).toMatchObject({ id: '2400000000000001' });
  });

  it('takes a Messenger quick reply payload from channelData as the choice', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const first = activity('botframework-facebook-message.json', service.url);
    await postJson(`${app.url}/api/messages`, first);
    await eventually(() => (replies().length >= 2 ? true : undefined));
    const tap = {
      ...first,
      id: `${first.id}-2`,
      text: 'Opening hours?',
      channelData: { message: { mid: 'm_2', text: 'Opening hours?', quick_reply: { payload: 'MENU_OPENING_HOURS' } } },
    };
    await postJson(`${app.url}/api/messages`, tap);
    const got = await eventually(() => (replies().length >= 3 ? replies() : undefined));
    expect(got[2]?.text).toBe('We open at 9.');
  });

  it('answers Web Chat as the web channel, where sign-in takes its onFailure way', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const first = activity('botframework-webchat-message.json', service.url);
    await postJson(`${app.url}/api/messages`, first);
    await eventually(() => (replies().length >= 2 ? true : undefined));
    await postJson(`${app.url}/api/messages`, { ...first, id: `${first.id}-2`, text: 'Sign in' });
    const got = await eventually(() => (replies().length >= 4 ? replies() : undefined));
    expect(got[0]?.text).toBe('Hi web user.');
    expect(got.slice(2).map((a) => a.text)).toEqual([expect.stringMatching(/sign.in/i), 'No sign-in then.']);
  });

  it('returns the replies in the HTTP answer with deliveryMode expectReplies, and the same to a retry', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const sent = { ...activity('botframework-webchat-message.json', service.url), deliveryMode: 'expectReplies' };
    const answer = await postJson(`${app.url}/api/messages`, sent);
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { activities: Array<{ text: string }> };
    expect(body.activities.map((a) => a.text)).toEqual(['Hi web user.', 'Which one?']);
    const retry = JSON.parse((await postJson(`${app.url}/api/messages`, sent)).text) as { activities: Array<{ text: string }> };
    expect(retry.activities.map((a) => a.text)).toEqual(['Hi web user.', 'Which one?']);
    expect(replies()).toEqual([]);
  });

  it('does not send the replies of a retried activity twice', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const sent = activity('botframework-facebook-message.json', service.url);
    await postJson(`${app.url}/api/messages`, sent);
    await eventually(() => (replies().length >= 2 ? true : undefined));
    expect((await postJson(`${app.url}/api/messages`, sent)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(replies()).toHaveLength(2);
  });

  it('sends what a slow turn produces after the deadline proactively', async () => {
    const { service, replies } = await connector();
    const slow = await startSlowService(500, { n: 7 });
    onTestFinished(() => slow.close());
    const slowBot = botOf({
      format: 1,
      id: 'bf-slow',
      name: 'slow',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'message', text: 'Looking.' },
            { type: 'webService', url: `${slow.url}/n`, save: { n: '$.n' } },
            { type: 'end', text: 'Found {n}.' },
          ],
        },
      },
    });
    const app = await startApp(slowBot, emulator, { deadlineMs: 150 });
    const sent = activity('botframework-webchat-message.json', service.url);
    const started = Date.now();
    expect((await postJson(`${app.url}/api/messages`, sent)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(450);
    expect(replies().map((a) => a.text)).toEqual(['Looking.']);
    const got = await eventually(() => (replies().length >= 2 ? replies() : undefined));
    expect(got[1]).toMatchObject({ text: 'Found 7.', conversation: { id: sent.conversation.id } });
  });

  it('in Emulator mode, refuses an activity whose serviceUrl is not loopback, even with ALLOW_PRIVATE_NETWORKS', async () => {
    const app = await startApp(bot, { ...emulator, ALLOW_PRIVATE_NETWORKS: 'true' });
    for (const serviceUrl of ['https://webchat.botframework.com', 'http://192.168.1.10:3978', 'http://localhost.example.com']) {
      const answer = await postJson(`${app.url}/api/messages`, activity('botframework-webchat-message.json', serviceUrl));
      expect(answer.status).toBe(403);
      expect(answer.text).toBe('forbidden');
    }
    expect(await app.keys()).toEqual(new Map());
  });

  const wrongTypes: Array<[string, Record<string, unknown>]> = [
    ['a numeric from.id', { from: { id: 7 } }],
    ['an object as conversation.id', { conversation: { id: { a: 1 } } }],
    ['a conversation.id no reply can carry (a control character)', { conversation: { id: 'c-\u0000' } }],
    ['a conversation.id no reply can carry (beyond Latin-1)', { conversation: { id: 'c-中文' } }],
    ['a numeric recipient.id', { recipient: { id: 7, name: 'bot' } }],
    ['a numeric channelId', { channelId: 7 }],
    ['a text that is not a string', { text: { body: 'hello' } }],
    ['a type that is not a string', { type: ['message'] }],
    ['an array as from', { from: [{ id: 'u-1' }] }],
    ['an array as conversation', { conversation: [] }],
    ['a numeric id', { id: 12345 }],
    ['an id no reply URL can carry (a lone surrogate)', { id: 'a-\ud800' }],
    ['a timestamp that is not a string', { timestamp: { at: 1 } }],
    ['a deliveryMode that is not a string', { deliveryMode: true }],
    ['a numeric from.name', { from: { id: 'u-1', name: 5 } }],
  ];

  it.each(wrongTypes)('refuses an activity with %s with 400, before any turn runs', async (_what, changes) => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const answer = await postJson(`${app.url}/api/messages`, activity('botframework-webchat-message.json', service.url, changes));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe('bad request');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replies()).toEqual([]);
    expect(await app.keys()).toEqual(new Map());
    expect(app.logText()).not.toMatch(/"level":50/);
  });

  it('keeps to the fields it reads: unknown fields, and any channelData or value, are let through', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, emulator);
    const sent = activity('botframework-webchat-message.json', service.url, { somethingNew: { x: [1, null] }, channelData: [1, 2], value: 7, attachments: [] });
    expect((await postJson(`${app.url}/api/messages`, sent)).status).toBe(200);
    const got = await eventually(() => (replies().length >= 2 ? replies() : undefined));
    expect(got.map((a) => a.text)).toEqual(['Hi web user.', 'Which one?']);
  });

  it.each(['adaptiveCard/action', 'signin/verifyState', 'composeExtension/query'])(
    'answers an invoke (%s) with 200 and runs no turn, as it handles none',
    async (name) => {
      const { service, replies } = await connector();
      const app = await startApp(bot, emulator);
      const answer = await postJson(`${app.url}/api/messages`, activity('botframework-webchat-message.json', service.url, { type: 'invoke', name, value: { action: { type: 'Action.Execute' } } }));
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(replies()).toEqual([]);
      expect(await app.keys()).toEqual(new Map());
      expect(app.logText()).not.toMatch(/"level":50/);
    },
  );

  it('answers within 3 s when nothing listens at the serviceUrl, and counts the lost replies with a warning, not a stack', async () => {
    const app = await startApp(bot, emulator);
    const sent = activity('botframework-webchat-message.json', `http://127.0.0.1:${await closedPort()}`);
    const started = Date.now();
    expect((await postJson(`${app.url}/api/messages`, sent)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    // botbuilder gives up on a refused connection after its retries, about 5 s.
    await eventually(async () => ((await metricsText(app)).includes('parley_reply_deliveries_failed_total{channel="web"} 1') ? true : undefined), 10_000);
    const warning = app.logText().split('\n').find((line) => line.includes('replies could not be delivered'));
    expect(warning).toContain('"level":40');
    expect(warning).not.toContain('stack');
    expect(app.logText()).not.toMatch(/"level":50/);
  }, 15_000);

  it('answers at the wait when the serviceUrl never answers, and counts the replies as lost at the give-up time', async () => {
    const silent = (await startStandIn()).on('POST /*', { hang: true });
    const app = await startApp(bot, emulator, { botFrameworkReplyBounds: { waitMs: 300, giveUpMs: 1_000 } });
    const started = Date.now();
    expect((await postJson(`${app.url}/api/messages`, activity('botframework-webchat-message.json', silent.url))).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    await eventually(async () => ((await metricsText(app)).includes('parley_reply_deliveries_failed_total{channel="web"} 1') ? true : undefined));
    expect(app.logText()).toMatch(/"reason":"no answer within 1000 ms".*replies could not be delivered/);
    expect(app.logText()).not.toMatch(/"level":50/);
  });

  // Tests reach the server from loopback only (no other address may be a target here), so the
  // refusal of other callers is shown on the predicate the route applies to the TCP peer.
  it('in Emulator mode, serves loopback peers only, whatever X-Forwarded-For says', () => {
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect([peer, isLoopbackAddress(peer)]).toEqual([peer, true]);
    for (const peer of ['10.0.0.5', '192.0.2.2', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) expect([peer, isLoopbackAddress(peer)]).toEqual([peer, false]);
  });

  it('answers 404 to every body without Bot Framework credentials or Emulator mode', async () => {
    const { service, replies } = await connector();
    const app = await startApp(bot, { ALLOW_PRIVATE_NETWORKS: 'true' });
    const victim = activity('botframework-facebook-message.json', service.url);
    const bodies: unknown[] = [
      { ...victim, deliveryMode: 'expectReplies' },
      victim,
      activity('botframework-webchat-message.json', service.url),
      { ...activity('botframework-webchat-message.json', service.url), channelId: 'emulator' },
      { ...victim, serviceUrl: 'https://facebook.botframework.com/' },
      {},
      '{"type": "message"',
    ];
    for (const body of bodies) {
      const answer = await postJson(`${app.url}/api/messages`, body, { authorization: 'Bearer not-a-token' });
      expect(answer.status).toBe(404);
      expect(answer.text).toBe('not found');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(replies()).toEqual([]);
    expect(await app.keys()).toEqual(new Map());
  });

  it('in Emulator mode, a Messenger user\'s PSID does not reach the token that user signed in with through Meta', async () => {
    const secret = 'meta-app-secret';
    const { service } = await connector();
    const graph = (await startStandIn()).on('POST /*', { json: { message_id: 'm_out' } });
    const api = (await startStandIn()).on('POST /login', { json: { token: 'tok-victim' } }).on('GET /balance', { json: { balance: 1200 } });
    const signInBot = botOf({
      format: 1,
      id: 'bf-identity',
      name: 'bf-identity',
      start: 'main',
      authTokens: {
        acme: {
          url: `${api.url}/login`,
          questions: [
            { ask: 'Username?', field: 'username' },
            { ask: 'Password?', field: 'password', secret: true },
          ],
          ttl: 3600,
          tokenPath: 'token',
        },
      },
      scripts: {
        main: {
          steps: [
            { type: 'authToken', token: 'acme' },
            { type: 'webService', url: `${api.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
            { type: 'end', text: 'Balance: {balance}.' },
          ],
        },
      },
    });
    const app = await startApp(signInBot, { ...emulator, META_APP_SECRET: secret, META_VERIFY_TOKEN: 'verify-me', META_ACCESS_TOKEN: 'page-token', META_GRAPH_URL: graph.url });
    const psid = `24${Date.now()}`;
    const sentToVictim = () => graph.requests.map((r) => (r.json as { message?: { text?: string } }).message?.text);
    for (const [n, text] of ['hi', 'ada', 'lovelace'].entries()) {
      const event = fixture<{ entry: Array<{ messaging: Array<{ sender: { id: string }; message: { mid: string; text: string } }> }> }>('meta-messenger-text.json');
      const messaging = event.entry[0]!.messaging[0]!;
      messaging.sender.id = psid;
      messaging.message = { mid: `m_${psid}_${n}`, text };
      expect((await postMeta(app, event, secret)).status).toBe(200);
      await eventually(() => (sentToVictim().length > n ? true : undefined));
    }
    expect(sentToVictim()).toEqual(['Username?', 'Password?', 'Balance: 1200.']);

    // The same PSID on the facebook channel through the Emulator route: asked to sign in.
    const impostor = { ...activity('botframework-facebook-message.json', service.url), from: { id: psid }, text: 'hi', deliveryMode: 'expectReplies' };
    const answer = await postJson(`${app.url}/api/messages`, impostor);
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as { activities: Array<{ text: string }> }).activities.map((a) => a.text)).toEqual(['Username?']);
    expect(api.to('GET /balance').map((seen) => seen.headers.authorization)).toEqual(['Bearer tok-victim']);
  });
});

/** An address of this machine that is not loopback, for a caller the Emulator route must refuse. */
