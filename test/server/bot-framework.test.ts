// POST /api/messages in botbuilder's local mode (no MicrosoftAppId): the fixtures' activities,
// with serviceUrl pointing at a stand-in for the Bot Framework Connector that records replies.
import { describe, expect, it, onTestFinished } from 'vitest';
import { botOf } from '../support/conversation.js';
import { standIns } from '../components/engine-on-redis.js';
import type { SeenRequest } from '../support/stand-in-service.js';
import { appsOnRedis, eventually, fixture, postJson, startSlowService } from './support.js';

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
    const app = await startApp(bot);
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
    const app = await startApp(bot);
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
    const app = await startApp(bot);
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
    const app = await startApp(bot);
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
    const app = await startApp(bot);
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
    const app = await startApp(slowBot, {}, { deadlineMs: 150 });
    const sent = activity('botframework-webchat-message.json', service.url);
    const started = Date.now();
    expect((await postJson(`${app.url}/api/messages`, sent)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(450);
    expect(replies().map((a) => a.text)).toEqual(['Looking.']);
    const got = await eventually(() => (replies().length >= 2 ? replies() : undefined));
    expect(got[1]).toMatchObject({ text: 'Found 7.', conversation: { id: sent.conversation.id } });
  });

  it('in local mode, refuses an activity whose serviceUrl is not local', async () => {
    const app = await startApp(bot, { ALLOW_PRIVATE_NETWORKS: 'false' });
    const answer = await postJson(`${app.url}/api/messages`, activity('botframework-webchat-message.json', 'https://webchat.botframework.com'));
    expect(answer.status).toBe(403);
    expect(await app.keys()).toEqual(new Map());
  });
});
