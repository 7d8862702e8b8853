// While a conversation waits on a sign-in link: what is not the code gets a reminder (the link
// is not sent again unless asked), a trigger still works, and after linkTtl the step takes its
// onFailure way, and the link's page says it expired. Over /twilio/sms with the engine's clock
// moved forward (Redis's own TTLs stay real).
import { describe, expect, it } from 'vitest';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { backToParley, codeIn, linkIn, playBotize, type BotizeService } from '../support/link-flow.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const standIn = standIns();

function waitingBot(service: BotizeService, extra: Record<string, unknown> = {}) {
  return botOf({
    format: 1,
    id: 'link-waiting',
    name: 'Link waiting',
    start: 'main',
    triggers: [{ keywords: ['hours'], script: 'hours' }],
    authTokens: { bank: { mode: 'web', beginUrl: `${service.url}/begin`, endUrl: `${service.url}/end`, ttl: 600, linkTtl: 60, ...extra } },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'bank', onFailure: 'failed' },
          { type: 'webService', url: `${service.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
          { type: 'end', text: 'Your balance is {balance}.' },
          { id: 'failed', type: 'end', text: 'We could not sign you in. Write to us any time.' },
        ],
      },
      hours: { steps: [{ type: 'end', text: 'We are open 9 to 5.' }] },
    },
  });
}

async function setUp(extra: Record<string, unknown> = {}) {
  const service = playBotize(await standIn());
  let offset = 0;
  const app = await startApp(waitingBot(service, extra), {}, { clock: () => Date.now() + offset });
  const user = uniquePhone();
  const send = async (text: string) => {
    const answer = await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: user, Body: text, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}` });
    return twimlTexts(answer.text, 'Message');
  };
  return { service, app, send, later: (ms: number) => void (offset += ms) };
}

const codePrompt = 'Once you have signed in, type here the 6-digit code the page shows you.';

describe('waiting on a sign-in link', () => {
  it('answers what is not the code with a reminder, without sending the link again', async () => {
    const { service, send } = await setUp();
    const link = linkIn(await send('hi'));
    expect(await send('what do I do now?')).toEqual(['Please open the link I sent you to sign in, then type the code it shows here. Say "again" for a new link.', codePrompt]);
    // Five digits is not a code either.
    expect(await send('12345')).toEqual(['Please open the link I sent you to sign in, then type the code it shows here. Say "again" for a new link.', codePrompt]);
    expect(service.begun).toHaveLength(1);
    // "again" does send a new one.
    const again = linkIn(await send('again'));
    expect(again).not.toBe(link);
    expect(service.begun).toHaveLength(2);
  });

  it('with verifyCode false, reminds without asking for a code', async () => {
    const { send } = await setUp({ verifyCode: false });
    await send('hi');
    expect(await send('hello?')).toEqual([
      'Please open the link I sent you to sign in; we will carry on here once you have. Say "again" for a new link.',
      'Once you have signed in there, we will carry on here.',
    ]);
    // Digits are not taken as a code when there is none.
    expect((await send('123456'))[0]).toMatch(/^Please open the link I sent you to sign in; we will carry on here/);
  });

  it('lets a trigger run while waiting', async () => {
    const { send } = await setUp();
    await send('hi');
    expect(await send('hours')).toEqual(['We are open 9 to 5.']);
  });

  it('takes onFailure after linkTtl, and the link then shows an expired page (410)', async () => {
    const { service, app, send, later } = await setUp();
    const link = linkIn(await send('hi'));
    later(30_000);
    expect(await send('still here')).toEqual(['Please open the link I sent you to sign in, then type the code it shows here. Say "again" for a new link.', codePrompt]);
    later(31_000);
    expect(await send('hello?')).toEqual(['The sign-in link has expired.', 'We could not sign you in. Write to us any time.']);
    const page = await backToParley(app, await service.signIn(link));
    expect(page.status).toBe(410);
    expect(page.text).toContain('This sign-in link has expired');
    expect(service.to('POST /end')).toHaveLength(0);
  });

  it('takes onFailure when the code comes after linkTtl, though the page was passed in time', async () => {
    const { service, app, send, later } = await setUp();
    const link = linkIn(await send('hi'));
    const page = await backToParley(app, await service.signIn(link));
    const code = codeIn(page.text)!;
    later(61_000);
    expect(await send(code)).toEqual(['The sign-in link has expired.', 'We could not sign you in. Write to us any time.']);
    expect(service.to('GET /balance')).toHaveLength(0);
  });

  it('signs in when the code comes within linkTtl', async () => {
    const { service, app, send, later } = await setUp();
    const link = linkIn(await send('hi'));
    later(50_000);
    const page = await backToParley(app as TestApp, await service.signIn(link));
    expect(await send(codeIn(page.text)!)).toEqual(['Your balance is 42.']);
  });
});
