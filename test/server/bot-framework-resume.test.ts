// A conversation resumed unprompted (a sign-in link completed) on an instance that has just
// started: botbuilder is still loading in the background, and the message must still reach the
// user rather than find no sender.
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config.js';
import { createEngine } from '../../src/create-engine.js';
import { resumeConversation } from '../../src/runtime/resume.js';
import { createApp } from '../../src/server/create-app.js';
import { createLogger } from '../../src/server/log.js';
import { createServerMetrics } from '../../src/server/metrics.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import { botOf } from '../support/conversation.js';
import { engineSettings, standIns } from '../support/engine-on-redis.js';
import { testRedisUrl } from '../support/redis.js';
import { appsOnRedis, eventually, fixture, postJson } from './support.js';

const startApp = appsOnRedis();
const startStandIn = standIns();

const bot = botOf({
  format: 1,
  id: 'resume-at-start',
  name: 'Resume',
  start: 'main',
  scripts: { main: { steps: [{ type: 'question', ask: 'Your name?', save: 'name' }, { type: 'end', text: 'Thanks, {name}.' }] } },
});

describe('the Bot Framework channel just after a start', () => {
  it('delivers a resumed conversation before botbuilder has loaded', async () => {
    const seen: string[] = [];
    const connector = (await startStandIn()).on('POST /v3/conversations/*', (request) => {
      seen.push(String((request.json as { text?: unknown }).text ?? ''));
      return { json: { id: `reply-${seen.length}` } };
    });
    const env = { BOT_FRAMEWORK_EMULATOR: 'true', ALLOW_PRIVATE_NETWORKS: 'true' };
    const first = await startApp(bot, env);
    const base = fixture<Record<string, any>>('botframework-facebook-message.json');
    const conversation = `conv-${Date.now()}`;
    const activity = { ...base, id: 'act-1', text: 'hi', serviceUrl: `${connector.url}/`, conversation: { ...base.conversation, id: conversation }, timestamp: new Date().toISOString() };
    expect((await postJson(`${first.url}/api/messages`, activity)).status).toBeLessThan(300);
    await eventually(() => (seen.includes('Your name?') ? true : undefined));

    // Another instance starts on the same store and, in the same moment, a link sign-in resumes
    // the conversation there.
    const store = createRedisStore({ url: testRedisUrl(), prefix: first.prefix });
    try {
      const log = createLogger('silent');
      const metrics = createServerMetrics();
      const engine = createEngine({ bot, store, ...engineSettings(env), log, metrics, publicUrl: () => 'http://localhost:1' });
      createApp({ engine, storeKind: 'redis', settings: readSettings(env), log, metrics, publicUrl: 'http://localhost:1' });
      expect(engine.senders.has('botframework')).toBe(true);
      const target = { user: { id: base.from.id, channel: 'messenger' as const, via: 'emulator' as const }, conversation: `${base.channelId}:${conversation}` };
      expect(await resumeConversation(engine, target, { kind: 'start' })).toEqual({ ran: true, delivered: true, messages: 1 });
      expect(seen).toEqual(['Your name?', 'Your name?']);
    } finally {
      await store.close();
    }
  });
});
