// Security: Twilio's signatures carry no time, so a captured signed request verifies forever.
// One sent again after its answer is gone (past the platform's retries) is refused for a day:
// nothing runs again, and the cost is one small key per message.
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { rawRedis } from '../support/redis.js';
import { standIns } from '../support/engine-on-redis.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone } from '../server/support.js';

const startApp = appsOnRedis();
const standIn = standIns();

describe('replayed Twilio requests', () => {
  it('runs a signed SMS captured and sent again after its answer expired no second time', async () => {
    const api = (await standIn()).on('POST /transfer', { json: { ok: true } });
    const bot = botOf({
      format: 1,
      id: 'replay',
      name: 'Replay',
      start: 'main',
      scripts: { main: { steps: [{ type: 'webService', method: 'POST', url: `${api.url}/transfer` }, { type: 'end', text: 'Transferred.' }] } },
    });
    const app = await startApp(bot);
    const number = uniquePhone();
    const sid = `SM${'7'.repeat(32)}`;
    const fields = { ...fixture('twilio-sms.form.json'), From: number, Body: 'send 100', MessageSid: sid };
    const first = await postTwilio(app, '/twilio/sms', fields);
    expect(twimlTexts(first.text, 'Message')).toEqual(['Transferred.']);

    // Two minutes later Redis has let the answer go; the replay mark stays a day.
    const raw = rawRedis();
    try {
      const answerKey = `${app.prefix}:{twilio:sms:${number}}:d:twilio:${sid}`;
      const markKey = `${app.prefix}:{twilio:sms:${number}}:r:twilio:${sid}`;
      expect(await raw.pttl(markKey)).toBeGreaterThan(23 * 3600 * 1000);
      expect(await raw.get(markKey)).toBe('');
      await raw.del(answerKey);

      const replayed = await postTwilio(app, '/twilio/sms', fields);
      expect(replayed.status).toBe(200);
      expect(twimlTexts(replayed.text, 'Message')).toEqual([]);
      expect(api.to('POST /transfer')).toHaveLength(1);
      expect(app.logText()).toContain('refused as a replay');
    } finally {
      await raw.quit();
    }
  });
});

describe('re-split Twilio requests', () => {
  it('refuses a captured request whose MessageSid was made to absorb the next field, under the same signature', async () => {
    const twilio = (await import('twilio')).default;
    const { authToken } = await import('../server/support.js');
    const app = await startApp(botOf({ format: 1, id: 'resplit', name: 'Resplit', start: 'main', scripts: { main: { steps: [{ type: 'question', ask: 'Yes?', save: 'x' }] } } }));
    const fields: Record<string, string> = { ...fixture('twilio-sms.form.json'), From: uniquePhone(), MessageSid: `SM${'8'.repeat(32)}` };
    expect((await postTwilio(app, '/twilio/sms', fields)).status).toBe(200);
    // MessagingServiceSid follows MessageSid in the signed string: folded into its value, the
    // signature still checks out.
    const { MessagingServiceSid, ...rest } = fields;
    const resplit = { ...rest, MessageSid: `${fields.MessageSid}MessagingServiceSid${MessagingServiceSid}` };
    const signature = twilio.getExpectedTwilioSignature(authToken, `${app.publicUrl}/twilio/sms`, fields);
    expect(twilio.validateRequest(authToken, signature, `${app.publicUrl}/twilio/sms`, resplit)).toBe(true);
    const response = await fetch(`${app.url}/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(resplit).toString(),
    });
    expect(response.status).toBe(400);
  });

  it('refuses the same on the phone, with the CallSid', async () => {
    const twilio = (await import('twilio')).default;
    const { authToken } = await import('../server/support.js');
    const app = await startApp(botOf({ format: 1, id: 'resplit-call', name: 'Resplit', start: 'main', scripts: { main: { steps: [{ type: 'question', ask: 'Yes?', save: 'x' }] } } }));
    const fields: Record<string, string> = { ...fixture('twilio-voice-incoming.form.json'), CallSid: `CA${'9'.repeat(32)}` };
    const { CallStatus, ...rest } = fields;
    const resplit = { ...rest, CallSid: `${fields.CallSid}CallStatus${CallStatus}` };
    const signature = twilio.getExpectedTwilioSignature(authToken, `${app.publicUrl}/twilio/voice`, fields);
    expect(twilio.validateRequest(authToken, signature, `${app.publicUrl}/twilio/voice`, resplit)).toBe(true);
    const response = await fetch(`${app.url}/twilio/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(resplit).toString(),
    });
    expect(response.status).toBe(400);
  });
});
