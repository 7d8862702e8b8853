// Security: one message cannot freeze the server. A bot whose failure way leads back to its
// own call (a loop the loader refuses, built here without the loader as a defect might slip
// through) is stopped by the per-turn caps on steps and calls, and the server keeps answering.
import { describe, expect, it } from 'vitest';
import { enginesOnRedis, standIns } from '../support/engine-on-redis.js';
import { botOf, chatWith } from '../support/conversation.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone } from '../server/support.js';

const engineFor = enginesOnRedis('runaway');
const standIn = standIns();
const startApp = appsOnRedis();

/** A webService whose onError goes back to it through a condition: a loop of calls without a question. */
function callLoopBot(url: string, settings: Record<string, unknown> = {}) {
  return botOf({
    format: 1,
    id: 'call-loop',
    name: 'Call loop',
    start: 'main',
    settings,
    scripts: {
      main: {
        steps: [
          { id: 'call', type: 'webService', url, onError: 'again' },
          { type: 'end', text: 'Done.' },
          { id: 'again', type: 'condition', branches: [{ when: { var: 'never', op: 'exists' }, goto: 'out' }], else: 'call' },
          { id: 'out', type: 'end', text: 'Out.' },
        ],
      },
    },
  });
}

describe('per-turn caps', () => {
  it('makes at most maxCallsPerTurn calls in one turn, across failures, and ends the conversation plainly', async () => {
    const service = (await standIn()).on('GET /fail', { status: 500, json: {} });
    const { engine } = engineFor(callLoopBot(`${service.url}/fail`));
    const chat = chatWith(engine, { user: uniquePhone() });
    expect(await chat.send('hi')).toEqual(['Sorry, something went wrong on our side. Please start again.']);
    expect(chat.last?.ended).toBe(true);
    expect(service.to('GET /fail')).toHaveLength(10);
  });

  it('takes maxCallsPerTurn from the bot settings', async () => {
    const service = (await standIn()).on('GET /fail', { status: 500, json: {} });
    const { engine } = engineFor(callLoopBot(`${service.url}/fail`, { maxCallsPerTurn: 3 }));
    await chatWith(engine, { user: uniquePhone() }).send('hi');
    expect(service.to('GET /fail')).toHaveLength(3);
  });

  it('counts steps across the effects of a turn, not from each effect anew', async () => {
    // 40 steps between calls: the step cap (200) is reached before the call cap (100).
    const steps = [
      { id: 'call', type: 'webService', url: 'http://10.0.0.1/blocked', onError: 'again' },
      { id: 'again', type: 'set', vars: { n: '1' } },
      ...Array.from({ length: 38 }, () => ({ type: 'set', vars: { n: '1' } })),
      { type: 'goto', step: 'call' },
    ];
    const bot = botOf({ format: 1, id: 'step-loop', name: 'Step loop', start: 'main', settings: { maxCallsPerTurn: 100 }, scripts: { main: { steps } } });
    const { engine } = engineFor(bot, { env: {} });
    const chat = chatWith(engine, { user: uniquePhone() });
    expect(await chat.send('hi')).toEqual(['Sorry, something went wrong on our side. Please start again.']);
  });

  it('keeps answering other users and /healthz while such a bot runs', async () => {
    // A blocked address fails at once, without I/O: the loop that starved the event loop.
    const app = await startApp(callLoopBot('http://10.0.0.1/blocked'), { ALLOW_PRIVATE_NETWORKS: 'false' });
    const sms = (from: string) => postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: 'hi', MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}` });
    const started = Date.now();
    const answers = await Promise.all([sms(uniquePhone()), sms(uniquePhone()), fetch(`${app.url}/healthz`), sms(uniquePhone())]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(3_000);
    const first = answers[0] as { text: string };
    expect(twimlTexts(first.text, 'Message')).toEqual(['Sorry, something went wrong on our side. Please start again.']);
  });
});
