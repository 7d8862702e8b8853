// Security: a malformed webhook is answered 4xx and changes nothing, and what a user types,
// control characters included, is handled as text and never reaches a log line.
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { errorLines, everyRoute, postTo } from '../server/every-route.js';
import { appsOnRedis, botsOnRedis, authToken, fixture, postTwilio, twimlTexts, uniquePhone } from '../server/support.js';

const startApp = appsOnRedis();
const startBots = botsOnRedis();
const startStandIn = standIns();

const echoBot = botOf({
  format: 1,
  id: 'echo',
  name: 'Echo',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'question', ask: 'Say something.', save: 'said', say: 'Say something.' },
        { type: 'end', text: 'You said: {said}' },
      ],
    },
  },
});

/** Bodies that are not a Twilio form, with the content type each is sent as. */
const notForms: Array<[string, string | undefined, string]> = [
  ['no body', undefined, ''],
  ['an empty form', 'application/x-www-form-urlencoded', ''],
  ['JSON', 'application/json', JSON.stringify(fixture('twilio-sms.form.json'))],
  ['plain text', 'text/plain', 'From=+15550001234&Body=hi'],
  ['XML', 'application/xml', '<Body>hi</Body>'],
  ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="From"\r\n\r\n+15550001234\r\n--x--\r\n'],
];

describe('malformed bodies on the Twilio routes', () => {
  for (const route of ['/twilio/sms', '/twilio/voice']) {
    for (const validate of [true, false]) {
      it(`answers 4xx to each on ${route}${validate ? ', signed' : ' with TWILIO_VALIDATE=false'}, and writes nothing`, async () => {
        const app = await startApp(echoBot, validate ? {} : { TWILIO_AUTH_TOKEN: '', TWILIO_VALIDATE: 'false' });
        for (const [what, type, body] of notForms) {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          // Signed as Twilio would sign a request without form fields: the URL alone.
          if (validate) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(authToken, app.publicUrl + route, {});
          const response = await fetch(app.url + route, { method: 'POST', headers, body: type === undefined ? null : body });
          expect([what, response.status >= 400 && response.status < 500]).toEqual([what, true]);
        }
        expect(await app.keys()).toEqual(new Map());
        expect(app.logText()).not.toMatch(/"level":50/);
      });
    }
  }
});

describe('forms Twilio would not send', () => {
  it('refuses a compressed form, a form in another charset, a field given twice, and writes nothing', async () => {
    const app = await startApp(echoBot);
    const fields = { ...fixture('twilio-sms.form.json'), From: uniquePhone() };
    const signature = twilio.getExpectedTwilioSignature(authToken, `${app.publicUrl}/twilio/sms`, fields);
    const post = (headers: Record<string, string>, body: string | Buffer) =>
      fetch(`${app.url}/twilio/sms`, { method: 'POST', headers: { 'x-twilio-signature': signature, ...headers }, body }).then((response) => response.status);
    const form = new URLSearchParams(fields).toString();
    const { gzipSync } = await import('node:zlib');
    expect(await post({ 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }, gzipSync(form))).toBe(415);
    expect(await post({ 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' }, form)).toBe(415);
    // More fields than a form may have: refused before the signature is even computed.
    expect(await post({ 'content-type': 'application/x-www-form-urlencoded' }, `${form}${'&x=1'.repeat(1000)}`)).toBe(413);
    // Two From fields: the signature check sees a list, and so would the turn.
    expect(await post({ 'content-type': 'application/x-www-form-urlencoded' }, `${form}&From=%2B15550000000`)).toBe(403);
    expect(await app.keys()).toEqual(new Map());
    expect(app.logText()).not.toMatch(/"level":50/);
  });

  it('reads a field named __proto__ as a field, and answers the message', async () => {
    const app = await startApp(echoBot, { TWILIO_AUTH_TOKEN: '', TWILIO_VALIDATE: 'false' });
    const form = `${new URLSearchParams({ ...fixture<Record<string, string>>('twilio-sms.form.json'), From: uniquePhone() }).toString()}&__proto__=x&constructor=y`;
    const response = await fetch(`${app.url}/twilio/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: form });
    expect(response.status).toBe(200);
    expect(twimlTexts(await response.text(), 'Message')).toEqual(['Say something.']);
  });
});

/** A body of every kind a route might be sent, with its content type (none when undefined). */
function everyKindOfBody(path: string, serviceUrl: string): Array<{ what: string; type: string | undefined; raw: Buffer; fields?: Record<string, string> }> {
  const form = { ...fixture(path === '/twilio/voice' ? 'twilio-voice-incoming.form.json' : 'twilio-sms.form.json'), From: uniquePhone() };
  const activity = { ...fixture<Record<string, unknown>>('botframework-webchat-message.json'), serviceUrl, id: `kinds-${uniquePhone()}` };
  const text = (value: string) => Buffer.from(value, 'utf8');
  return [
    { what: 'no body', type: undefined, raw: Buffer.alloc(0) },
    { what: 'a form', type: 'application/x-www-form-urlencoded', raw: text(new URLSearchParams(form).toString()), fields: form },
    { what: 'JSON', type: 'application/json', raw: text(JSON.stringify(activity)) },
    { what: 'plain text', type: 'text/plain', raw: text('From=+15550001234&Body=hi') },
    { what: 'XML', type: 'application/xml', raw: text('<Body>hi</Body>') },
    { what: 'multipart', type: 'multipart/form-data; boundary=x', raw: text('--x\r\nContent-Disposition: form-data; name="From"\r\n\r\n+15550001234\r\n--x--\r\n') },
    { what: 'bytes', type: 'application/octet-stream', raw: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x7b]) },
    { what: 'broken JSON', type: 'application/json', raw: text('{"type": "message", "text": ') },
    { what: 'an empty JSON body', type: 'application/json', raw: Buffer.alloc(0) },
    { what: 'an empty form', type: 'application/x-www-form-urlencoded', raw: Buffer.alloc(0), fields: {} },
  ];
}

describe('every kind of body on every route', () => {
  it('is answered 2xx or 4xx, never 5xx, without an error in the log', async () => {
    const connector = await startStandIn();
    const { routes, apps } = await everyRoute(startApp, echoBot, connector, startBots);
    const answers: string[] = [];
    for (const route of routes) {
      for (const { what, type, raw, fields } of everyKindOfBody(route.path, `${connector.url}/`)) {
        const { status } = await postTo(route, raw, type, fields);
        answers.push(`${route.name}, ${what}: ${status >= 500 ? status : status < 300 ? '2xx' : '4xx'}`);
      }
    }
    expect(answers.filter((line) => !/: (2|4)xx$/.test(line))).toEqual([]);
    // Turns that answered 200 go on in the background (Meta's) for a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(apps.flatMap(errorLines)).toEqual([]);
  });
});

describe('control characters in what users type', () => {
  it('handles them as text on SMS: 200, the reply without them, and nothing of the text in the log', async () => {
    const app = await startApp(echoBot);
    const from = uniquePhone();
    const sms = (body: string, sid: string) => postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: from, Body: body, MessageSid: sid });
    expect((await sms('hi', `SM${'1'.repeat(32)}`)).status).toBe(200);
    const answer = await sms('secret-marker-7d1\u0000\u0007\u001b[31m end', `SM${'2'.repeat(32)}`);
    expect(answer.status).toBe(200);
    const [reply] = twimlTexts(answer.text, 'Message');
    expect(reply).toMatch(/^You said: secret-marker-7d1/);
    expect(reply).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(app.logText()).not.toContain('secret-marker-7d1');
  });

  it('handles them as text on the phone: the caller hears the reply', async () => {
    const app = await startApp(echoBot);
    const call = { ...fixture('twilio-voice-incoming.form.json'), From: uniquePhone(), CallSid: `CA${'3'.repeat(32)}` };
    expect((await postTwilio(app, '/twilio/voice', call)).status).toBe(200);
    const answer = await postTwilio(app, '/twilio/voice?n=1', { ...call, SpeechResult: 'marker-99\u0000 hello' });
    expect(answer.status).toBe(200);
    expect(twimlTexts(answer.text, 'Say').join(' ')).toContain('You said: marker-99');
    expect(app.logText()).not.toContain('marker-99');
  });
});

describe('error records in the log', () => {
  it("keeps a library's message out, since it may quote what a user typed, but keeps Parley's and a system error's", async () => {
    const { createLogger } = await import('../../src/server/log.js');
    const { ParleyError } = await import('../../src/runtime/errors.js');
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.error({ err: new TypeError('Invalid character in "my pin is 4321"') }, 'request failed');
    log.error({ err: new Error('wrapped', { cause: new SyntaxError('Unexpected token in {"Body":"hello 4321"}') }) }, 'request failed');
    log.error({ err: new ParleyError('bad-request', 'a Twilio message needs From, To and MessageSid') }, 'refused');
    log.error({ err: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }) }, 'store');
    const text = lines.join('');
    expect(text).not.toContain('4321');
    expect(text).toContain('TypeError');
    expect(text).toContain('a Twilio message needs From, To and MessageSid');
    expect(text).toContain('ECONNREFUSED 127.0.0.1:6379');
  });
});
