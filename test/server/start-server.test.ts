// startServer as `parley serve` runs it, and two server processes sharing one Redis.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startServer } from '../../src/server/start-server.js';
import { accountSid, authToken, eventually, fixture, postTwilio, startSlowService, twimlTexts, uniquePhone } from './support.js';
import { startStandIn } from '../support/stand-in-service.js';
import { botFile, serverProcesses } from '../support/server-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const quiet = { write: () => undefined };


describe('startServer', () => {
  it('refuses to start with a bot that has errors, naming each problem', async () => {
    const attempt = startServer({ botFile: join(root, 'test/fixtures/bots/missing-key.json'), port: 0, env: {}, logDestination: quiet });
    await expect(attempt).rejects.toThrow(/the bot has errors[\s\S]*missing-key\.json:\d+:\d+: /);
  });

  it('serves a bot from a file, with the embedded store when no Redis is set', async () => {
    const path = botFile({ format: 1, id: 'served', name: 'served', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'Hi.' }] } } });
    const server = await startServer({ botFile: path, port: 0, host: '127.0.0.1', env: { TWILIO_AUTH_TOKEN: authToken }, logDestination: quiet });
    onTestFinished(() => server.close());
    expect(server.url).toBe(`http://localhost:${server.port}`);
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', store: 'memory' });
    // PUBLIC_URL defaults to http://localhost:$PORT: that is what Twilio signs.
    const answer = await postTwilio({ url: `http://127.0.0.1:${server.port}`, publicUrl: server.url }, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: uniquePhone() });
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Hi.']);
  });

  it('warns at start that Emulator mode takes unauthenticated activities, and serves them from loopback', async () => {
    const path = botFile({ format: 1, id: 'emulated', name: 'emulated', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'Hi.' }] } } });
    const lines: string[] = [];
    const server = await startServer({ botFile: path, port: 0, host: '127.0.0.1', env: { BOT_FRAMEWORK_EMULATOR: 'true' }, logDestination: { write: (line: string) => void lines.push(line) } });
    onTestFinished(() => server.close());
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);
    expect(warnings.map((line) => line.msg)).toContainEqual(expect.stringMatching(/^BOT_FRAMEWORK_EMULATOR is on: .*UNAUTHENTICATED/));
    const activity = { ...fixture<Record<string, unknown>>('botframework-webchat-message.json'), serviceUrl: 'http://127.0.0.1:9/', deliveryMode: 'expectReplies' };
    const answer = await fetch(`http://127.0.0.1:${server.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    expect(((await answer.json()) as { activities: Array<{ text: string }> }).activities.map((a) => a.text)).toEqual(['Hi.']);
  });

  it('checks signatures against PUBLIC_URL when it is set', async () => {
    const path = botFile({ format: 1, id: 'proxied', name: 'proxied', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'Hi.' }] } } });
    const env = { TWILIO_AUTH_TOKEN: authToken, PUBLIC_URL: 'https://bot.example.com' };
    const server = await startServer({ botFile: path, port: 0, host: '127.0.0.1', env, logDestination: quiet });
    onTestFinished(() => server.close());
    const local = `http://127.0.0.1:${server.port}`;
    const fields = { ...fixture('twilio-sms.form.json'), From: uniquePhone() };
    expect((await postTwilio({ url: local, publicUrl: 'https://bot.example.com' }, '/twilio/sms', fields)).status).toBe(200);
    expect((await postTwilio({ url: local, publicUrl: server.url }, '/twilio/sms', { ...fields, MessageSid: 'SM00000000000000000000000000000777' })).status).toBe(403);
  });

  it('sends the late replies of a slow turn through TWILIO_API_URL', async () => {
    const slow = await startSlowService(500, { balance: 42 });
    onTestFinished(() => slow.close());
    const twilioApi = await startStandIn();
    onTestFinished(() => twilioApi.close());
    const messages = `POST /2010-04-01/Accounts/${accountSid}/Messages.json`;
    twilioApi.on(messages, { status: 201, json: { sid: 'SM1', status: 'queued' } });
    const path = botFile({
      format: 1,
      id: 'late',
      name: 'late',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'message', text: 'Let me look.' },
            { type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' } },
            { type: 'end', text: 'Your balance is {balance}.' },
          ],
        },
      },
    });
    const env = { TWILIO_AUTH_TOKEN: authToken, TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: `${twilioApi.url}/`, ALLOW_PRIVATE_NETWORKS: 'true' };
    const server = await startServer({ botFile: path, port: 0, host: '127.0.0.1', env, deadlineMs: 100, logDestination: quiet });
    onTestFinished(() => server.close());
    const me = uniquePhone();
    const answer = await postTwilio({ url: `http://127.0.0.1:${server.port}`, publicUrl: server.url }, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: me });
    expect(twimlTexts(answer.text, 'Message')).toEqual(['Let me look.']);
    const sent = await eventually(() => (twilioApi.to(messages).length > 0 ? twilioApi.to(messages) : undefined));
    expect(sent.map((request) => request.form?.Body)).toEqual(['Your balance is 42.']);
    expect(sent[0]?.form?.To).toBe(me);
  });

  it('refuses to start when TWILIO_API_URL is not an http(s) URL', async () => {
    const path = botFile({ format: 1, id: 'bad-url', name: 'bad-url', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'Hi.' }] } } });
    const attempt = startServer({ botFile: path, port: 0, host: '127.0.0.1', env: { TWILIO_API_URL: 'api.twilio.test' }, logDestination: quiet });
    await expect(attempt).rejects.toThrow('TWILIO_API_URL: write an http:// or https:// URL');
  });
});

describe('two server processes sharing one Redis', () => {
  const serve = serverProcesses();

  it('runs two messages of one conversation in arrival order, loses no update, and runs a retry once', async () => {
    // The first answer's turn waits 400 ms on this service: the second message arrives meanwhile.
    const slow = await startSlowService(400, { ok: true });
    onTestFinished(() => slow.close());
    const path = botFile({
      format: 1,
      id: `twins-${Date.now()}`,
      name: 'twins',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'question', ask: 'First?', save: 'a', input: 'text' },
            { type: 'webService', url: `${slow.url}/record` },
            { type: 'question', ask: 'Second?', save: 'b', input: 'text' },
            { type: 'end', text: 'Got {a} and {b}.' },
          ],
        },
      },
    });
    const [one, two] = await Promise.all([serve(path), serve(path)]);
    const me = uniquePhone();
    const sms = (body: string, sid: string) => ({ ...fixture('twilio-sms.form.json'), From: me, Body: body, MessageSid: sid, SmsSid: sid, SmsMessageSid: sid });

    expect(twimlTexts((await postTwilio(one, '/twilio/sms', sms('hi', 'SM10000000000000000000000000000001'))).text, 'Message')).toEqual(['First?']);
    const apple = postTwilio(one, '/twilio/sms', sms('apple', 'SM10000000000000000000000000000002'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const banana = postTwilio(two, '/twilio/sms', sms('banana', 'SM10000000000000000000000000000003'));
    const [first, second] = await Promise.all([apple, banana]);
    expect(twimlTexts(first.text, 'Message')).toEqual(['Second?']);
    expect(twimlTexts(second.text, 'Message')).toEqual(['Got apple and banana.']);

    // Twilio retries "apple" at the other instance: the same answer, and nothing runs again.
    const retry = await postTwilio(two, '/twilio/sms', sms('apple', 'SM10000000000000000000000000000002'));
    expect(retry.text).toBe(first.text);
    expect(slow.count()).toBe(1);
  });
});
