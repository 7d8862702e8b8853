// A Twilio Messaging webhook (SMS, or WhatsApp through Twilio) as a turn request.
import type { TurnRequest } from '../../src/runtime/run-turn.js';
import type { Authority, User, UserInput } from '../../src/runtime/turn.js';
import { field, phoneOf } from '../fields.js';
import { twilioSid } from '../twilio/signature.js';
import { twilioAddress } from '../twilio/unprompted.js';

export interface InboundMessage {
  request: TurnRequest;
  /** Our number: replies sent later through the REST API go from it… */
  to: string;
  /** …to the user's address, prefix included (`whatsapp:+…`). */
  from: string;
}

const whatsappPrefix = 'whatsapp:';

/**
 * Undefined when a field the turn needs is missing: the request is malformed. `via` is
 * `twilio` when the signature was checked, `unverified` when TWILIO_VALIDATE=false.
 */
export function parseTwilioMessage(fields: Record<string, unknown>, via: Authority): InboundMessage | undefined {
  const from = field(fields, 'From')?.trim();
  const to = field(fields, 'To')?.trim();
  const sid = twilioSid(fields, 'MessageSid');
  if (!from || !to || !sid) return undefined;

  const whatsapp = from.toLowerCase().startsWith(whatsappPrefix);
  // WhatsApp may name a user by an id that is not a phone number (`whatsapp:<BSUID>`).
  const id = whatsapp ? from.slice(whatsappPrefix.length).trim() : from;
  if (id === '') return undefined;
  const user: User = { id, channel: whatsapp ? 'whatsapp' : 'sms', via, ...phoneOf(id) };

  const input: UserInput = { text: field(fields, 'Body') ?? '' };
  const payload = field(fields, 'ButtonPayload');
  if (payload !== undefined && payload !== '') input.choice = payload;

  const address = twilioAddress(to, from);
  return { request: { user, conversation: `${user.channel}:${id}`, input, delivery: `twilio:${sid}`, address }, to, from };
}
