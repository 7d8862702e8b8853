// Forged, malformed and oversized webhooks: refused with a 4xx, and nothing of the
// conversation's state is written (no session, no delivery id, no lock left behind).
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { createLogger } from '../../src/server/log.js';
import { appsOnRedis, authToken, fixture, postJson, postMeta, postTwilio, uniquePhone } from './support.js';

const startApp = appsOnRedis();

const bot = botOf({
  format: 1,
  id: 'safety',
  name: 'safety',
  start: 'main',
  scripts: { main: { steps: [{ type: 'question', ask: 'Your PIN?', save: 'pin', input: 'digits' }] } },
});

const sms = (body = 'hi'): Record<string, string> => ({ ...fixture('twilio-sms.form.json'), From: uniquePhone(), Body: body });

describe('webhooks that are not what they claim', () => {
  it('refuses a Twilio request with a wrong or missing signature, and writes nothing', async () => {
    const app = await startApp(bot);
    expect((await postTwilio(app, '/twilio/sms', sms(), 'not-the-token')).status).toBe(403);
    expect((await postTwilio(app, '/twilio/sms', sms(), null)).status).toBe(403);
    expect((await postTwilio(app, '/twilio/voice', fixture('twilio-voice-incoming.form.json'), 'not-the-token')).status).toBe(403);
    expect(await app.keys()).toEqual(new Map());
  });

  it('refuses a request signed over other fields than were posted', async () => {
    const app = await startApp(bot);
    const fields = sms();
    // Sign without a field Twilio added, then post it with that field.
    const { ApiVersion: _dropped, ...fewer } = fields;
    const twilio = (await import('twilio')).default;
    const response = await fetch(`${app.url}/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, `${app.publicUrl}/twilio/sms`, fewer) },
      body: new URLSearchParams(fields).toString(),
    });
    expect(response.status).toBe(403);
    expect(await app.keys()).toEqual(new Map());
  });

  it('refuses every Twilio request when TWILIO_AUTH_TOKEN is not set', async () => {
    const app = await startApp(bot, { TWILIO_AUTH_TOKEN: '' });
    expect((await postTwilio(app, '/twilio/sms', sms())).status).toBe(403);
    expect(await app.keys()).toEqual(new Map());
  });

  it('serves unsigned Twilio requests only with TWILIO_VALIDATE=false', async () => {
    const app = await startApp(bot, { TWILIO_AUTH_TOKEN: '', TWILIO_VALIDATE: 'false' });
    const answer = await postTwilio(app, '/twilio/sms', sms(), null);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Your PIN?');
  });

  it('answers 400 to a signed Twilio request that lacks the fields a turn needs, and writes nothing', async () => {
    const app = await startApp(bot);
    const { MessageSid: _sid, ...noSid } = sms();
    expect((await postTwilio(app, '/twilio/sms', noSid)).status).toBe(400);
    const { CallSid: _call, ...noCall } = fixture('twilio-voice-incoming.form.json');
    expect((await postTwilio(app, '/twilio/voice', noCall)).status).toBe(400);
    expect(await app.keys()).toEqual(new Map());
  });

  it('answers 413 to a body over 100 kb', async () => {
    // /api/messages exists without credentials only in Emulator mode.
    const app = await startApp(bot, { BOT_FRAMEWORK_EMULATOR: 'true' });
    expect((await postTwilio(app, '/twilio/sms', sms('x'.repeat(120_000)))).status).toBe(413);
    expect((await postJson(`${app.url}/api/messages`, { type: 'message', text: 'x'.repeat(120_000) })).status).toBe(413);
    expect(await app.keys()).toEqual(new Map());
  });

  it('answers 400 to a body that is not JSON, without echoing it', async () => {
    const app = await startApp(bot, { BOT_FRAMEWORK_EMULATOR: 'true' });
    const answer = await postJson(`${app.url}/api/messages`, '{"type": "message", "text": "secret-4711"');
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain('secret-4711');
    expect(app.logText()).not.toContain('secret-4711');
    expect(await app.keys()).toEqual(new Map());
  });

  it('refuses a Meta event with a wrong signature, and writes nothing', async () => {
    const app = await startApp(bot, { META_APP_SECRET: 'app-secret', META_VERIFY_TOKEN: 'verify-me', META_ACCESS_TOKEN: 'page-token' });
    expect((await postMeta(app, fixture('meta-whatsapp-text.json'), 'wrong-secret')).status).toBe(403);
    expect((await postMeta(app, fixture('meta-whatsapp-text.json'), null)).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await app.keys()).toEqual(new Map());
  });

  it('never writes what users typed or a signature to the log', async () => {
    const app = await startApp(bot);
    const fields = sms('my pin is 98765');
    await postTwilio(app, '/twilio/sms', fields);
    await postTwilio(app, '/twilio/sms', { ...fields, MessageSid: 'SM00000000000000000000000000009999', Body: '55501' });
    await postTwilio(app, '/twilio/voice', { ...fixture('twilio-voice-gather.form.json'), Digits: '24680' }, 'forged-token');
    const logged = app.logText();
    expect(logged).toContain('"route":"/twilio/sms"');
    for (const secret of ['98765', '55501', '24680', authToken, 'forged-token']) expect(logged).not.toContain(secret);
  });

  it('redacts secret fields wherever a log record holds them', async () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.info({ Body: 'b-1', form: { Digits: 'd-2', SpeechResult: 's-3' }, req: { headers: { authorization: 'Bearer t-4', 'x-twilio-signature': 'sig-5' } }, err: { body: 'raw-6' } }, 'x');
    log.info({ deep: { er: { answer: { password: 'p-7', token: 't-8' } } } }, 'y');
    const text = lines.join('');
    for (const secret of ['b-1', 'd-2', 's-3', 't-4', 'sig-5', 'raw-6', 'p-7', 't-8']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('answers 404, as plain text, to a route it does not have', async () => {
    const app = await startApp(bot);
    const response = await fetch(`${app.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not found');
  });
});
