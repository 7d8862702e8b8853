// Security: Twilio's signatures carry no time, so a captured signed request verifies forever.
// One sent again after its answer is gone (past the platform's retries) is refused for a day:
// nothing runs again, and the cost is one small key per message.
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { rawRedis } from '../support/redis.js';
import { standIns } from '../components/engine-on-redis.js';
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
