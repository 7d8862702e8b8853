// Reaching a Twilio user with no webhook to answer: messages through the REST API, from our
// number to theirs. SMS and WhatsApp users get them on their channel; a caller gets an SMS
// (a call cannot be spoken to from outside it).
import type { SendUnprompted } from '../../src/runtime/resume.js';
import type { ReplyAddress } from '../../src/runtime/turn.js';
import { messageTexts, type SendMessage } from '../twilio-sms/outbound.js';

/** `from`: our number (the webhook's `To`); `to`: the user's (`From`, `whatsapp:` kept). */
export function twilioAddress(ours: string, theirs: string): ReplyAddress {
  return { kind: 'twilio', from: ours, to: theirs };
}

/** Undefined `send` (no TWILIO_ACCOUNT_SID): every unprompted send fails, and says why. */
export function twilioUnprompted(send: SendMessage | undefined): SendUnprompted {
  return async (address, output) => {
    const { from, to } = address;
    if (typeof from !== 'string' || typeof to !== 'string') throw new Error('a Twilio address needs from and to');
    if (send === undefined) throw new Error('messages cannot be sent unprompted without TWILIO_ACCOUNT_SID');
    // One after the other, so they arrive in order.
    for (const body of messageTexts(output)) await send({ from, to, body });
  };
}
