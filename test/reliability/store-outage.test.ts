// Faults lose nothing: while Redis is down or stalled, a message gets a plain answer on its
// channel (never a 5xx the platform drops), /healthz says 503, nothing is half-applied, and
// the next message after Redis is back works.
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../bench/redis-server.js';
import { botOf } from '../support/conversation.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone } from '../server/support.js';

const startApp = appsOnRedis();
const servers: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const bot = botOf({
  format: 1,
  id: 'outage',
  name: 'Outage',
  start: 'main',
  scripts: { main: { steps: [{ type: 'question', ask: 'Your name?', save: 'name' }, { type: 'end', text: 'Thanks, {name}.' }] } },
});

const trouble = "Sorry, we're having trouble right now. Please try again in a minute.";

describe('Redis outages', () => {
  it('answers a message sent while Redis is down with a plain sentence, 503 on /healthz, and works again once Redis is back', async () => {
    const redis = await startRedisServer();
    servers.push(redis);
    const app = await startApp(bot, {}, { redisUrl: redis.url });
    const from = uniquePhone();
    let sid = 0;
    const sms = (body: string) => postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: `SM${String(++sid).padStart(32, '0')}` });
    expect(twimlTexts((await sms('hi')).text, 'Message')).toEqual(['Your name?']);

    await redis.stop();
    const started = Date.now();
    const during = await sms('Ada');
    expect(during.status).toBe(200);
    expect(twimlTexts(during.text, 'Message')).toEqual([trouble]);
    expect(Date.now() - started).toBeLessThan(12_000);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(503);

    // Redis comes back (empty, as a restarted one without persistence does): the next message
    // works, and the user hears why the bot starts over.
    servers.push(await startRedisServer(redis.port));
    const after = await sms('hello again');
    expect(after.status).toBe(200);
    expect(twimlTexts(after.text, 'Message')).toEqual(['Sorry, we lost track of our conversation, so we are starting over.', 'Your name?']);
    // The conversation goes on from there.
    expect(twimlTexts((await sms('Ada')).text, 'Message')).toEqual(['Thanks, Ada.']);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('frees the conversation within seconds when Redis stalls past the command time-out mid-turn', async () => {
    const redis = await startRedisServer();
    servers.push(redis);
    const app = await startApp(bot, {}, { redisUrl: redis.url });
    const from = uniquePhone();
    let sid = 0;
    const sms = (body: string) => postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: `SM${String(++sid).padStart(32, '1')}` });
    expect(twimlTexts((await sms('hi')).text, 'Message')).toEqual(['Your name?']);
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const during = await sms('Ada');
      expect(twimlTexts(during.text, 'Message')).toEqual([trouble]);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    // The answer that was asked is still the question's: nothing was half-applied.
    const after = await sms('Ada');
    expect(twimlTexts(after.text, 'Message')).toEqual(['Thanks, Ada.']);
  });
});

describe('Redis back empty, seen from several instances', () => {
  it('is noticed by every store on that Redis, not only the one that writes the new mark', async () => {
    const redis = await startRedisServer();
    servers.push(redis);
    const { createRedisStore } = await import('../../src/stores/redis-store.js');
    const stores = [createRedisStore({ url: redis.url, prefix: 'epoch-a' }), createRedisStore({ url: redis.url, prefix: 'epoch-a' })];
    try {
      await Promise.all(stores.map((store) => store.ping()));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(stores.map((store) => store.lostStateAt?.())).toEqual([undefined, undefined]);
      await redis.stop();
      servers.push(await startRedisServer(redis.port));
      // Each reconnects on its own schedule; its first turn after that reads the mark.
      const until = Date.now() + 10_000;
      while (stores.some((store) => store.lostStateAt?.() === undefined) && Date.now() < until) {
        await Promise.all(stores.map((store) => store.turns.begin(`c-${Math.random()}`, { deliveryTtlSeconds: 60, lockTtlMs: 1_000 }).catch(() => undefined)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stores.map((store) => typeof store.lostStateAt?.())).toEqual(['number', 'number']);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });
});
