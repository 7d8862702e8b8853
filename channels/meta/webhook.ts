// GET /meta/webhook: Meta's verification handshake. POST: signed events, answered 200 at once
// (Meta retries slow webhooks); the turns then run and their replies go out through the Graph API.
import express, { Router, type IRouter } from 'express';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import type { TurnOutput } from '../../src/runtime/turn.js';
import { metaMessages, type MetaMessage } from './inbound.js';
import { graphCalls, type GraphSend } from './outbound.js';
import { isSignedByMeta } from './signature.js';
import type { RunTurn } from '../channel.js';
import type { Words } from '../../src/runtime/phrasebook.js';

export interface MetaDeps {
  run: RunTurn;
  appSecret: string;
  verifyToken: string;
  /** META_PHONE_NUMBER_ID: where WhatsApp replies go from when the event does not say. */
  phoneNumberId: string | undefined;
  /** Undefined without META_ACCESS_TOKEN: replies are logged as dropped. */
  send: GraphSend | undefined;
  /** What is ready by then goes out first; the rest when the turn ends. */
  deadlineMs: number;
  /** Work that goes on after the 200 (the batch's turns), so shutdown waits for it. */
  background: (work: Promise<void>) => void;
  /** The bot's words for buttons (Yes, No, the list's button); Parley's own without. */
  words?: Words;
  log: Log;
}

// Meta retries a webhook whose 200 it did not get, on its own schedule, and may send an event
// twice: an answer kept an hour (as for every channel before) rather than Twilio's minutes.
const deliveryTtlSeconds = 3600;
// Meta's signature carries no time either: a message id is remembered a day after its answer.
const replayTtlSeconds = 24 * 3600;

/** Adds the routes to `router` (the app itself, for one bot: a router layer less per request). */
export function metaRoutes(deps: MetaDeps, router: IRouter = Router()): IRouter {
  router.get('/meta/webhook', (req, res) => {
    const { 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge } = req.query;
    if (mode !== 'subscribe' || typeof token !== 'string' || token !== deps.verifyToken || typeof challenge !== 'string') {
      throw new ParleyError('forbidden', 'the verification token does not match META_VERIFY_TOKEN');
    }
    res.type('text/plain').send(challenge);
  });

  const deliver = async (message: MetaMessage, output: TurnOutput) => {
    const calls = graphCalls(message.address, output, deps.phoneNumberId, deps.words);
    if (calls.length === 0) return;
    if (deps.send === undefined) {
      deps.log.warn({ conversation: message.request.conversation, dropped: calls.length }, 'replies cannot be sent: set META_ACCESS_TOKEN');
      return;
    }
    for (const call of calls) await deps.send(call);
  };

  const handle = async (message: MetaMessage) => {
    const late = (rest: TurnOutput) => deliver(message, rest);
    const answer = await deps.run({ ...message.request, deliveryTtlSeconds, replayTtlSeconds }, { deadlineMs: deps.deadlineMs, late });
    // A retry: the first delivery sent (or is sending) the replies.
    if (answer.duplicate === true) return;
    await deliver(message, answer);
  };

  // The raw bytes, for the signature; JSON is read only once they check out.
  router.post('/meta/webhook', express.raw({ type: () => true, limit: '100kb' }), (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isSignedByMeta(deps.appSecret, req.get('x-hub-signature-256'), raw)) {
      throw new ParleyError('forbidden', 'the request does not carry a valid X-Hub-Signature-256');
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ParleyError('bad-request', 'the body is not JSON');
    }
    const messages = metaMessages(body);
    res.status(200).type('text/plain').send('EVENT_RECEIVED');
    // One after the other: a batch may hold several messages of one conversation, in order.
    deps.background(
      (async () => {
        for (const message of messages) {
          await handle(message).catch((error: unknown) => deps.log.error({ err: error, conversation: message.request.conversation }, 'Meta turn failed'));
        }
      })(),
    );
  });
  return router;
}
