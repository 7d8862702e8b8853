// POST /twilio/sms: SMS and WhatsApp through Twilio. The answer is TwiML with what the turn
// produced by the deadline; what comes later goes out through the REST API.
import { Router } from 'express';
import { twilioForm } from '../twilio/form.js';
import type { TurnOutput } from '../../src/runtime/turn.js';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import { parseTwilioMessage } from './inbound.js';
import { messageTexts, messagingTwiml, type SendMessage } from './outbound.js';
import { requireTwilioSignature, twilioAuthority, twilioReplayTtlSeconds, type TwilioSignatureSettings } from '../twilio/signature.js';
import type { RegisterUnprompted, RunTurn } from '../channel.js';

export interface TwilioSmsDeps {
  run: RunTurn;
  signature: TwilioSignatureSettings;
  /** Twilio gives a webhook 15 s, retries included. */
  deadlineMs: number;
  /** Undefined without TWILIO_ACCOUNT_SID: late replies are logged and dropped. */
  send: SendMessage | undefined;
  /** Where this channel's sender of unprompted messages is registered. */
  registerUnprompted: RegisterUnprompted;
  log: Log;
}

/** How Twilio reaches a user later: from our number (the message's To) to theirs. */
const addressChannel = 'twilio-messaging';

// Twilio retries within the webhook's 15 s: an answer kept a few minutes covers every retry,
// and every message keeps one in the store for that long.
const deliveryTtlSeconds = 120;

export function twilioSmsRoutes(deps: TwilioSmsDeps): Router {
  const router = Router();
  // Texts, one message each and in order, through the REST API.
  const sendTexts = async (address: { from: string; to: string }, output: TurnOutput, conversation: string) => {
    const texts = messageTexts(output);
    if (texts.length === 0) return;
    if (deps.send === undefined) {
      deps.log.warn({ conversation, dropped: texts.length }, 'replies cannot be sent after the webhook: set TWILIO_ACCOUNT_SID');
      return;
    }
    for (const body of texts) await deps.send({ from: address.from, to: address.to, body });
  };
  deps.registerUnprompted(addressChannel, async (address, output) => {
    const from = typeof address.from === 'string' ? address.from : undefined;
    const to = typeof address.to === 'string' ? address.to : undefined;
    if (from !== undefined && to !== undefined) await sendTexts({ from, to }, output, `${addressChannel}:${to}`);
  });
  router.post('/twilio/sms', ...twilioForm(), requireTwilioSignature(deps.signature), async (req, res) => {
    const message = parseTwilioMessage(req.body as Record<string, unknown>, twilioAuthority(deps.signature));
    if (message === undefined) throw new ParleyError('bad-request', 'a Twilio message needs From, To and a MessageSid of Twilio\'s form');
    const { request, from, to } = message;

    const address = { from: to, to: from };
    const late = (rest: TurnOutput) => sendTexts(address, rest, request.conversation);
    const answer = await deps.run(
      { ...request, deliveryTtlSeconds, replayTtlSeconds: twilioReplayTtlSeconds, address: { channel: addressChannel, ...address } },
      { deadlineMs: deps.deadlineMs, late },
    );
    res.type('text/xml').send(messagingTwiml(answer));
  });
  return router;
}
