// POST /twilio/sms: SMS and WhatsApp through Twilio. The answer is TwiML with what the turn
// produced by the deadline; what comes later goes out through the REST API.
import { Router, type IRouter } from 'express';
import type { TurnOutput } from '../../src/runtime/turn.js';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import { parseTwilioMessage } from './inbound.js';
import { messageTexts, messagingTwiml, type SendMessage } from './outbound.js';
import { signedTwilioForm, twilioAuthority, twilioReplayTtlSeconds, type TwilioSignatureSettings } from '../twilio/signature.js';
import type { RunTurn } from '../channel.js';
import { answerTwiml } from '../twilio/answer.js';
import { twilioAddress, twilioUnprompted } from '../twilio/unprompted.js';

export interface TwilioSmsDeps {
  run: RunTurn;
  signature: TwilioSignatureSettings;
  /** Twilio gives a webhook 15 s, retries included. */
  deadlineMs: number;
  /** Undefined without TWILIO_ACCOUNT_SID: late replies are logged and dropped. */
  send: SendMessage | undefined;
  log: Log;
}

// Twilio retries within the webhook's 15 s: an answer kept a few minutes covers every retry,
// and every message keeps one in the store for that long.
const deliveryTtlSeconds = 120;

/** Adds the routes to `router` (the app itself, for one bot: a router layer less per request). */
export function twilioSmsRoutes(deps: TwilioSmsDeps, router: IRouter = Router()): IRouter {
  const sendLate = twilioUnprompted(deps.send);
  router.post('/twilio/sms', async (req, res) => {
    const message = parseTwilioMessage(await signedTwilioForm(req, deps.signature), twilioAuthority(deps.signature));
    if (message === undefined) throw new ParleyError('bad-request', 'a Twilio message needs From, To and a MessageSid of Twilio\'s form');
    const { request, from, to } = message;
    const late = async (rest: TurnOutput) => {
      const texts = messageTexts(rest);
      if (texts.length === 0) return;
      if (deps.send === undefined) {
        deps.log.warn({ conversation: request.conversation, dropped: texts.length }, 'late replies cannot be sent: set TWILIO_ACCOUNT_SID');
        return;
      }
      await sendLate(twilioAddress(to, from), rest);
    };
    request.deliveryTtlSeconds = deliveryTtlSeconds;
    request.replayTtlSeconds = twilioReplayTtlSeconds;
    const answer = await deps.run(request, { deadlineMs: deps.deadlineMs, late });
    answerTwiml(res, messagingTwiml(answer));
  });
  return router;
}
