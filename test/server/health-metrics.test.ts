// GET /healthz and GET /metrics, as a load balancer and Prometheus see them.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/create-engine.js';
import { createApp } from '../../src/server/create-app.js';
import { createServerMetrics } from '../../src/server/metrics.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { appsOnRedis, fixture, postTwilio, uniquePhone } from './support.js';
import { readSettings } from '../../src/config.js';

const startApp = appsOnRedis();
const startStandIn = standIns();

const bot = botOf({
  format: 1,
  id: 'health',
  name: 'health',
  start: 'main',
  scripts: { main: { steps: [{ type: 'question', ask: 'Name?', save: 'name', input: 'text' }] } },
});

describe('GET /healthz', () => {
  it('answers 200 with the store and the bot while the store answers', async () => {
    const app = await startApp(bot);
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', store: 'redis' });
  });

  it('answers 503 within about a second when the store does not answer', async () => {
    const store = createMemoryStore();
    store.ping = () => new Promise(() => undefined);
    const metrics = createServerMetrics();
    const engine = createEngine({ bot, store, metrics });
    const app = createApp({ engine, storeKind: 'memory', settings: readSettings({}), log: engine.log, metrics, publicUrl: 'http://localhost' });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const started = Date.now();
      const response = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`);
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(await response.json()).toEqual({ status: 'unavailable', store: 'memory' });
    } finally {
      server.close();
    }
  });
});

describe('GET /metrics', () => {
  it('counts turns by channel, token lookups and web calls, in the text format', async () => {
    const api = await startStandIn();
    api.on('GET /ping', { json: { ok: true } });
    const calling = botOf({
      format: 1,
      id: 'metrics',
      name: 'metrics',
      start: 'main',
      scripts: { main: { steps: [{ type: 'webService', url: `${api.url}/ping` }, { type: 'question', ask: 'Name?', save: 'name', input: 'text' }] } },
    });
    const app = await startApp(calling);
    await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: uniquePhone() });
    await postTwilio(app, '/twilio/voice', fixture('twilio-voice-incoming.form.json'));
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('parley_turn_duration_seconds_count{channel="sms"} 1');
    expect(text).toContain('parley_turn_duration_seconds_count{channel="phone"} 1');
    expect(text).toContain('parley_web_call_duration_seconds_count{outcome="ok"} 2');
    expect(text).toContain('# TYPE parley_sign_ins_total counter');
    expect(text).toContain('# TYPE parley_token_cache_lookups_total counter');
  });

  it('keeps each app\'s counts apart', async () => {
    const first = await startApp(bot);
    const second = await startApp(bot);
    await postTwilio(first, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: uniquePhone() });
    expect(await (await fetch(`${first.url}/metrics`)).text()).toContain('parley_turn_duration_seconds_count{channel="sms"} 1');
    expect(await (await fetch(`${second.url}/metrics`)).text()).not.toContain('channel="sms"');
  });
});
