// The channels' translations on their own: webhook fields in, turn requests out; turn output
// in, platform messages out. The fixtures are the shared ones, as the platforms send them.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { activitiesOf, turnRequestOf } from '../../channels/bot-framework/activity.js';
import { metaMessages } from '../../channels/meta/inbound.js';
import { graphCalls } from '../../channels/meta/outbound.js';
import { isSignedByMeta } from '../../channels/meta/signature.js';
import { parseTwilioMessage } from '../../channels/twilio-sms/inbound.js';
import { messagingTwiml } from '../../channels/twilio-sms/outbound.js';
import { parseCall } from '../../channels/twilio-voice/inbound.js';
import type { Prompt, TurnOutput } from '../../src/runtime/turn.js';
import { fixture } from '../server/support.js';

const choices = (count: number) => Array.from({ length: count }, (_, i) => ({ label: `Option ${i + 1}`, value: `v${i + 1}` }));
const ask = (prompt: Partial<Prompt>): TurnOutput => ({ replies: [], ended: false, prompt: { text: 'Pick one', input: 'choice', keypad: false, secret: false, ...prompt } });

describe('Twilio Messaging', () => {
  it('reads an SMS as the sms channel, keyed by MessageSid', () => {
    expect(parseTwilioMessage(fixture('twilio-sms.form.json'), 'twilio')).toEqual({
      request: {
        user: { id: '+15550001234', channel: 'sms', via: 'twilio', phone: '+15550001234' },
        conversation: 'sms:+15550001234',
        input: { text: 'Hi, what are your opening hours?' },
        delivery: 'twilio:SM00000000000000000000000000000101',
        // Replies sent later or unprompted go from our number to theirs.
        address: { kind: 'twilio', from: '+15550009876', to: '+15550001234' },
      },
      from: '+15550001234',
      to: '+15550009876',
    });
  });

  it('reads WhatsApp without the prefix, with the button payload as the choice', () => {
    const parsed = parseTwilioMessage(fixture('twilio-whatsapp-button.form.json'), 'twilio');
    expect(parsed?.request.user).toEqual({ id: '+15550001234', channel: 'whatsapp', via: 'twilio', phone: '+15550001234' });
    expect(parsed?.request.input).toEqual({ text: 'Confirm booking', choice: 'confirm_booking' });
    expect(parsed?.from).toBe('whatsapp:+15550001234');
  });

  it('keeps a WhatsApp id that is not a phone number, without a phone', () => {
    const parsed = parseTwilioMessage({ ...fixture('twilio-whatsapp.form.json'), From: 'whatsapp:US.1349120865530' }, 'twilio');
    expect(parsed?.request.user).toEqual({ id: 'US.1349120865530', channel: 'whatsapp', via: 'twilio' });
  });

  it('escapes what the bot says inside TwiML', () => {
    expect(messagingTwiml({ replies: [{ text: 'a < b & "c"' }], ended: false })).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>a &lt; b &amp; "c"</Message></Response>');
  });
});

describe('Twilio Voice', () => {
  const gather = fixture('twilio-voice-gather.form.json');
  it('tells the moments of a call apart by their fields and query', () => {
    expect(parseCall(fixture('twilio-voice-incoming.form.json'), {}, 'twilio')?.moment).toEqual({ kind: 'start' });
    expect(parseCall(gather, { n: '3' }, 'twilio')?.moment).toEqual({ kind: 'answer', n: 3, input: { text: '2', keypad: true } });
    expect(parseCall(fixture('twilio-voice-gather-speech.form.json'), { n: '1' }, 'twilio')?.moment).toEqual({ kind: 'answer', n: 1, input: { text: 'I would like to check my order status.' } });
    expect(parseCall({ ...gather, Digits: '' }, { n: '3', timeout: '1' }, 'twilio')?.moment).toEqual({ kind: 'silence', n: 3, times: 1 });
    expect(parseCall({ ...gather, Digits: '' }, { n: '3', timeout: '2' }, 'twilio')?.moment).toEqual({ kind: 'silence', n: 3, times: 2 });
    expect(parseCall(gather, { wait: '2', w: '5' }, 'twilio')?.moment).toEqual({ kind: 'wait', n: 2, tries: 5 });
    expect(parseCall({ ...gather, CallSid: '' }, {}, 'twilio')).toBeUndefined();
  });
});

describe('Bot Framework', () => {
  it('reads Facebook as messenger and Web Chat as web', () => {
    const facebook = turnRequestOf(fixture('botframework-facebook-message.json'), 'botframework');
    expect(facebook).toMatchObject({ user: { id: '2400000000000001', channel: 'messenger', via: 'botframework' }, conversation: 'facebook:2400000000000001-100000000000123', input: { text: 'hello, world!' } });
    const webchat = turnRequestOf(fixture('botframework-webchat-message.json'), 'botframework');
    expect(webchat).toMatchObject({ user: { channel: 'web' }, conversation: 'webchat:0000000000000000000000-us', delivery: 'botframework:webchat:0000000000000000000000-us|0000001' });
    expect(turnRequestOf({ ...fixture('botframework-webchat-message.json'), type: 'conversationUpdate' }, 'botframework')).toBeUndefined();
  });

  it('offers yes and no as suggested actions for a yes/no question', () => {
    const [activity] = activitiesOf(ask({ text: 'Sure?', input: 'yesno' }));
    expect(activity?.suggestedActions?.actions.map((a) => a.value)).toEqual(['yes', 'no']);
  });
});

describe('Meta', () => {
  it('reads WhatsApp numbers as E.164, interactive replies as choices, and statuses as nothing', () => {
    const [text] = metaMessages(fixture('meta-whatsapp-text.json'));
    expect(text?.request).toMatchObject({ user: { id: '+15550001234', phone: '+15550001234', channel: 'whatsapp', via: 'meta' }, conversation: 'whatsapp:+15550001234' });
    expect(text?.address).toEqual({ kind: 'whatsapp', to: '15550001234', phoneNumberId: '100000000000001' });
    expect(metaMessages(fixture('meta-whatsapp-interactive-reply.json'))[0]?.request.input).toEqual({ text: 'Confirm', choice: 'confirm_booking' });
    expect(metaMessages(fixture('meta-whatsapp-status.json'))).toEqual([]);
  });

  it('reads Messenger text, quick replies and postbacks', () => {
    expect(metaMessages(fixture('meta-messenger-text.json'))[0]?.request.input).toEqual({ text: 'hello, world!' });
    expect(metaMessages(fixture('meta-messenger-quick-reply.json'))[0]?.request.input).toEqual({ text: 'Opening hours', choice: 'MENU_OPENING_HOURS' });
    expect(metaMessages(fixture('meta-messenger-postback.json'))[0]?.request).toMatchObject({ input: { text: 'Get Started', choice: 'GET_STARTED' }, delivery: expect.stringMatching(/^meta:m_/) });
  });

  it('asks on WhatsApp with buttons up to 3 choices, a list up to 10, numbered text beyond', () => {
    const to = { kind: 'whatsapp', to: '15550001234', phoneNumberId: '1' } as const;
    const kindOf = (count: number) => {
      const body = graphCalls(to, ask({ choices: choices(count) }), undefined)[0]?.body as { type: string; interactive?: { type: string } };
      return body.interactive?.type ?? body.type;
    };
    expect([kindOf(2), kindOf(3), kindOf(4), kindOf(10), kindOf(11)]).toEqual(['button', 'button', 'list', 'list', 'text']);
  });

  it('checks the signature over the raw bytes, in constant time, refusing other lengths', () => {
    const raw = Buffer.from('{"a": 1}');
    const good = 'sha256=' + '6b3c1c1c7f4e4a9b'.repeat(4);
    expect(isSignedByMeta('s', good, raw)).toBe(false);
    expect(isSignedByMeta('s', 'sha256=abc', raw)).toBe(false);
    expect(isSignedByMeta('s', undefined, raw)).toBe(false);
    expect(isSignedByMeta('s', `sha256=${createHmac('sha256', 's').update(raw).digest('hex')}`, raw)).toBe(true);
  });
});
