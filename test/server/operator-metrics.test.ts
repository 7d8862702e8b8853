// What an operator watches on /metrics: each family moves when its event happens, over real
// HTTP, a real Redis and real stand-ins for the services and platforms.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startRedisServer, type RedisServer } from '../../bench/redis-server.js';
import { botOf } from '../support/conversation.js';
import { startStandIn } from '../support/stand-in-service.js';
import { accountSid, appsOnRedis, eventually, fixture, postTwilio, startSlowService, type TestApp, uniquePhone } from './support.js';

const startApp = appsOnRedis();
const redisServers: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(redisServers.splice(0).map((server) => server.stop()));
});

const askName = botOf({
  format: 1,
  id: 'metrics-ask',
  name: 'Ask',
  start: 'main',
  scripts: { main: { steps: [{ type: 'question', ask: 'Your name?', save: 'name' }, { type: 'end', text: 'Thanks, {name}.' }] } },
});

let sid = 0;
const sms = (app: TestApp, from: string, body: string, messageSid = `SM${String(++sid).padStart(32, '7')}`) =>
  postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: messageSid });

async function metrics(app: TestApp): Promise<string> {
  return (await fetch(`${app.url}/metrics`)).text();
}

/** The value of one series, 0 when it is not there yet. */
async function value(app: TestApp, series: string): Promise<number> {
  const line = (await metrics(app)).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('/metrics for operators', () => {
  it('counts HTTP requests by route pattern and status, never by raw path', async () => {
    const app = await startApp(askName);
    await sms(app, uniquePhone(), 'hi');
    await fetch(`${app.url}/no/such/route/+15550100001`);
    await fetch(`${app.url}/healthz`);
    expect(await value(app, 'parley_http_requests_total{route="/twilio/sms",status="200"}')).toBe(1);
    expect(await value(app, 'parley_http_requests_total{route="unmatched",status="404"}')).toBe(1);
    expect(await value(app, 'parley_http_requests_total{route="/healthz",status="200"}')).toBe(1);
    expect(await metrics(app)).not.toContain('+15550100001');
  });

  it('counts errors by kind: a forged webhook, a body that is not a form, no such route', async () => {
    const app = await startApp(askName);
    await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: uniquePhone() }, 'not-the-token');
    await fetch(`${app.url}/twilio/sms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await fetch(`${app.url}/nothing-here`);
    expect(await value(app, 'parley_errors_total{kind="forbidden"}')).toBe(1);
    expect(await value(app, 'parley_errors_total{kind="unsupported-media-type"}')).toBe(1);
    expect(await value(app, 'parley_errors_total{kind="not-found"}')).toBe(1);
  });

  it('counts a platform retry that was answered again without running', async () => {
    const app = await startApp(askName);
    const from = uniquePhone();
    const messageSid = `SM${'d'.repeat(32)}`;
    await sms(app, from, 'hi', messageSid);
    expect(await value(app, 'parley_deliveries_deduplicated_total{channel="sms",kind="retry"}')).toBe(0);
    await sms(app, from, 'hi', messageSid);
    expect(await value(app, 'parley_deliveries_deduplicated_total{channel="sms",kind="retry"}')).toBe(1);
    expect(await value(app, 'parley_turn_duration_seconds_count{channel="sms"}')).toBe(1);
  });

  it('counts late deliveries, sent and failed', async () => {
    const slow = await startSlowService(300, { balance: 42 });
    onTestFinished(() => slow.close());
    const slowBot = botOf({
      format: 1,
      id: 'metrics-late',
      name: 'Late',
      start: 'main',
      scripts: { main: { steps: [{ type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' } }, { type: 'end', text: 'Your balance is {balance}.' }] } },
    });
    const messages = `POST /2010-04-01/Accounts/${accountSid}/Messages.json`;
    const taking = (await startStandIn()).on(messages, { status: 201, json: { sid: `SM${'e'.repeat(32)}` } });
    const refusing = (await startStandIn()).on(messages, { status: 400, json: { code: 21211, message: 'invalid To' } });
    const sent = await startApp(slowBot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: taking.url }, { deadlineMs: 50 });
    const failed = await startApp(slowBot, { TWILIO_ACCOUNT_SID: accountSid, TWILIO_API_URL: refusing.url }, { deadlineMs: 50 });
    await sms(sent, uniquePhone(), 'hi');
    await sms(failed, uniquePhone(), 'hi');
    await eventually(async () => ((await value(sent, 'parley_late_deliveries_total{channel="sms",outcome="sent"}')) === 1 ? true : undefined));
    await eventually(async () => ((await value(failed, 'parley_late_deliveries_total{channel="sms",outcome="failed"}')) === 1 ? true : undefined));
    expect(await value(sent, 'parley_late_deliveries_total{channel="sms",outcome="failed"}')).toBe(0);
  });

  it('times store calls by operation, and counts the ones that fail', async () => {
    const redis = await startRedisServer();
    redisServers.push(redis);
    const app = await startApp(askName, {}, { redisUrl: redis.url });
    await sms(app, uniquePhone(), 'hi');
    expect(await value(app, 'parley_store_operation_duration_seconds_count{operation="turns.begin"}')).toBe(1);
    expect(await value(app, 'parley_store_operation_duration_seconds_count{operation="turns.commit"}')).toBe(1);
    expect(await value(app, 'parley_store_errors_total{operation="turns.begin"}')).toBe(0);

    await redis.stop();
    await sms(app, uniquePhone(), 'hi');
    expect(await value(app, 'parley_store_errors_total{operation="turns.begin"}')).toBe(1);
    expect(await value(app, 'parley_errors_total{kind="store-unavailable"}')).toBe(1);
  });

  it('counts sign-ins by mode and outcome, and the back-off: a pause imposed, a try refused during it', async () => {
    const auth = (await startStandIn()).on('POST /login', (seen) => ((seen.json as { password?: string }).password === 'right' ? { json: { token: 'tok' } } : { status: 401, json: {} }));
    const bank = botOf({
      format: 1,
      id: 'metrics-bank',
      name: 'Bank',
      start: 'main',
      authTokens: { acme: { url: `${auth.url}/login`, questions: [{ ask: 'Password?', field: 'password', secret: true }], ttl: 600, tokenPath: 'token', maxAttempts: 5, invalidMessage: 'Not accepted.' } },
      scripts: { main: { steps: [{ type: 'authToken', token: 'acme', onFailure: 'locked' }, { type: 'end', text: 'Welcome.' }, { id: 'locked', type: 'end', text: 'Locked.' }] } },
    });
    const app = await startApp(bank);
    const ada = uniquePhone();
    await sms(app, ada, 'hi');
    await sms(app, ada, 'right');
    expect(await value(app, 'parley_sign_ins_total{mode="credentials",outcome="ok"}')).toBe(1);

    const alan = uniquePhone();
    await sms(app, alan, 'hi');
    for (const guess of ['wrong-1', 'wrong-2']) await sms(app, alan, guess);
    expect(await value(app, 'parley_sign_ins_total{mode="credentials",outcome="refused"}')).toBe(2);
    expect(await value(app, 'parley_back_off_total{event="paused"}')).toBe(0);
    // The third refusal earns a pause; the next try comes during it.
    await sms(app, alan, 'wrong-3');
    expect(await value(app, 'parley_back_off_total{event="paused"}')).toBe(1);
    await sms(app, alan, 'right');
    expect(await value(app, 'parley_back_off_total{event="refused"}')).toBeGreaterThanOrEqual(1);
    expect(await value(app, 'parley_sign_ins_total{mode="credentials",outcome="throttled"}')).toBe(1);
  });

  it('counts a turn that waited for its conversation\'s lock', async () => {
    const slow = await startSlowService(400, { ok: true });
    onTestFinished(() => slow.close());
    const busy = botOf({
      format: 1,
      id: 'metrics-lock',
      name: 'Lock',
      start: 'main',
      scripts: { main: { steps: [{ type: 'webService', url: `${slow.url}/slow` }, { type: 'question', ask: 'Next?', save: 'next' }, { type: 'end', text: 'Done.' }] } },
    });
    const app = await startApp(busy);
    const from = uniquePhone();
    const first = sms(app, from, 'hi');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = sms(app, from, 'again');
    await Promise.all([first, second]);
    expect(await value(app, 'parley_lock_wait_seconds_count{outcome="acquired"}')).toBe(1);
    expect(await value(app, 'parley_lock_wait_seconds_sum{outcome="acquired"}')).toBeGreaterThan(0.1);
  });
});
