// POST /twilio/voice: a phone call from ringing to hang-up, answered on the keypad, with the
// step counter in the Gather URLs, silences, retries and a slow turn.
import { describe, expect, it, onTestFinished } from 'vitest';
import { botOf } from '../support/conversation.js';
import { appsOnRedis, fixture, postTwilio, startSlowService, twimlTexts, type TestApp } from './support.js';

const startApp = appsOnRedis();

const phoneBot = botOf({
  format: 1,
  id: 'phone',
  name: 'phone',
  start: 'main',
  settings: { language: 'en-GB', voice: 'Polly.Amy' },
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Welcome.', say: 'Welcome to ACME by phone.' },
        {
          id: 'menu',
          type: 'question',
          ask: 'What would you like?',
          save: 'pick',
          input: 'choice',
          maxAttempts: 2,
          onFailure: 'bye',
          options: [
            { label: 'Balance', value: 'balance', goto: 'balance' },
            { label: 'Transfer', value: 'transfer', goto: 'amount' },
          ],
        },
        { id: 'balance', type: 'end', text: 'Your balance is 10 dollars.' },
        { id: 'amount', type: 'question', ask: 'How many dollars?', save: 'amount', input: 'digits', keypad: true },
        { type: 'end', text: 'Sending {amount} dollars. Goodbye.' },
        { id: 'bye', type: 'end', text: 'Sorry, I did not get that. Goodbye.' },
      ],
    },
  },
});

let callCount = 0;
function newCall(): { incoming: Record<string, string>; gather: (digits: string) => Record<string, string>; redirect: Record<string, string>; sid: string } {
  const sid = `CA${String(Date.now()).padEnd(24, '0')}${String(++callCount).padStart(8, '0')}`;
  const incoming = { ...fixture('twilio-voice-incoming.form.json'), CallSid: sid };
  const gather: Record<string, string> = { ...fixture('twilio-voice-gather.form.json'), CallSid: sid };
  const { Digits: _d, FinishedOnKey: _f, msg: _m, ...redirect } = gather;
  return { sid, incoming, redirect, gather: (digits) => ({ ...fixture('twilio-voice-gather.form.json'), CallSid: sid, Digits: digits }) };
}

const voice = (app: TestApp, path: string, fields: Record<string, string>) => postTwilio(app, path, fields);

describe('POST /twilio/voice', () => {
  it('plays a call: welcome, a keypad menu in a Gather, the answer, and a hang-up', async () => {
    const app = await startApp(phoneBot);
    const call = newCall();
    const ringing = await voice(app, '/twilio/voice', call.incoming);
    expect(ringing.status).toBe(200);
    expect(ringing.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(ringing.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        '<Say language="en-GB" voice="Polly.Amy">Welcome to ACME by phone.</Say>' +
        '<Gather action="/twilio/voice?n=1" method="POST" input="dtmf speech" finishOnKey="#" numDigits="1" speechTimeout="auto" language="en-GB">' +
        '<Say language="en-GB" voice="Polly.Amy">What would you like? Press 1 for Balance. Press 2 for Transfer.</Say></Gather>' +
        '<Redirect method="POST">/twilio/voice?n=1&amp;timeout=1</Redirect></Response>',
    );

    const transfer = await voice(app, '/twilio/voice?n=1', call.gather('2'));
    expect(transfer.text).toContain('<Gather action="/twilio/voice?n=2" method="POST" input="dtmf" finishOnKey="#">');
    expect(twimlTexts(transfer.text, 'Say')).toEqual(['How many dollars? Then press the pound key.']);

    const done = await voice(app, '/twilio/voice?n=2', call.gather('250'));
    expect(twimlTexts(done.text, 'Say')).toEqual(['Sending 250 dollars. Goodbye.']);
    expect(done.text).toContain('<Hangup/>');
    expect(done.text).not.toContain('<Gather');
    expect([...(await app.keys()).keys()].some((key) => key.includes(`{twilio:phone:+15550001234:phone%3A${call.sid}}:s`))).toBe(false);
  });

  it('takes a spoken answer', async () => {
    const app = await startApp(phoneBot);
    const call = newCall();
    await voice(app, '/twilio/voice', call.incoming);
    const spoken = { ...fixture('twilio-voice-gather-speech.form.json'), CallSid: call.sid, SpeechResult: 'Balance.' };
    const answer = await voice(app, '/twilio/voice?n=1', { ...spoken, SpeechResult: 'balance' });
    expect(twimlTexts(answer.text, 'Say')).toEqual(['Your balance is 10 dollars.']);
  });

  it('gives a retried Gather callback the same TwiML and runs nothing twice', async () => {
    const app = await startApp(phoneBot);
    const call = newCall();
    const first = await voice(app, '/twilio/voice', call.incoming);
    const again = await voice(app, '/twilio/voice', call.incoming);
    expect(again.text).toBe(first.text);
    const transfer = await voice(app, '/twilio/voice?n=1', call.gather('2'));
    // Had it run again, the amount question would have taken "2" as the amount and hung up.
    const retried = await voice(app, '/twilio/voice?n=1', call.gather('2'));
    expect(retried.text).toBe(transfer.text);
    const done = await voice(app, '/twilio/voice?n=2', call.gather('40'));
    expect(twimlTexts(done.text, 'Say')).toEqual(['Sending 40 dollars. Goodbye.']);
  });

  it('asks again on silence without running a turn, then counts a second silence as a wrong answer', async () => {
    const app = await startApp(phoneBot);
    const call = newCall();
    await voice(app, '/twilio/voice', call.incoming);
    const session = async () => [...(await app.keys()).entries()].find(([key]) => key.endsWith(`{twilio:phone:+15550001234:phone%3A${call.sid}}:s`))?.[1];
    const before = await session();
    expect(before).toBeDefined();

    const asked = await voice(app, '/twilio/voice?n=1&timeout=1', call.redirect);
    expect(twimlTexts(asked.text, 'Say')).toEqual(['What would you like? Press 1 for Balance. Press 2 for Transfer.']);
    expect(asked.text).toContain('<Gather action="/twilio/voice?n=1"');
    expect(asked.text).toContain('<Redirect method="POST">/twilio/voice?n=1&amp;timeout=2</Redirect>');
    expect(await session()).toBe(before);

    const wrong = await voice(app, '/twilio/voice?n=1&timeout=2', call.redirect);
    expect(twimlTexts(wrong.text, 'Say')).toEqual(["Please pick one of the options.", 'What would you like? Press 1 for Balance. Press 2 for Transfer.']);
    expect(wrong.text).toContain('<Gather action="/twilio/voice?n=2"');

    await voice(app, '/twilio/voice?n=2&timeout=1', call.redirect);
    const gone = await voice(app, '/twilio/voice?n=2&timeout=2', call.redirect);
    expect(twimlTexts(gone.text, 'Say')).toEqual(['Sorry, I did not get that. Goodbye.']);
    expect(gone.text).toContain('<Hangup/>');
  });

  it('holds the caller through a slow turn and plays the rest when Twilio comes back', async () => {
    const slow = await startSlowService(700, { balance: 75 });
    onTestFinished(() => slow.close());
    const slowBot = botOf({
      format: 1,
      id: 'phone-slow',
      name: 'slow',
      start: 'main',
      scripts: {
        main: {
          steps: [
            { type: 'message', text: 'Let me check.' },
            { type: 'webService', url: `${slow.url}/balance`, save: { balance: '$.balance' } },
            { type: 'question', ask: 'Your balance is {balance}. Anything else?', save: 'more', input: 'yesno' },
            { type: 'end', text: 'Bye.' },
          ],
        },
      },
    });
    const app = await startApp(slowBot, {}, { voiceDeadlineMs: 150 });
    const call = newCall();
    const held = await voice(app, '/twilio/voice', call.incoming);
    expect(twimlTexts(held.text, 'Say')).toEqual(['Let me check.', 'One moment please.']);
    expect(held.text).toContain('<Pause length="3"/><Redirect method="POST">/twilio/voice?wait=0&amp;w=1</Redirect>');

    // Twilio follows the redirect at once: not ready yet, so it is held again.
    const notYet = await voice(app, '/twilio/voice?wait=0&w=1', call.redirect);
    expect(notYet.text).toContain('<Redirect method="POST">/twilio/voice?wait=0&amp;w=2</Redirect>');
    expect(twimlTexts(notYet.text, 'Say')).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 800));
    const ready = await voice(app, '/twilio/voice?wait=0&w=2', call.redirect);
    expect(twimlTexts(ready.text, 'Say')).toEqual(['Your balance is 75. Anything else? Press 1 for yes, 2 for no.']);
    expect(ready.text).toContain('<Gather action="/twilio/voice?n=1"');
    expect(slow.count()).toBe(1);

    const bye = await voice(app, '/twilio/voice?n=1', call.gather('2'));
    expect(twimlTexts(bye.text, 'Say')).toEqual(['Bye.']);
  });
});
