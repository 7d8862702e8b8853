// Reaching a WhatsApp (Cloud API) or Messenger user with no webhook to answer: the same Graph
// API calls as any reply, to the address the conversation's newest message came from.
import type { SendUnprompted } from '../../src/runtime/resume.js';
import { metaAddressOf } from './inbound.js';
import { graphCalls, type GraphSend } from './outbound.js';

/** Undefined `send` (no META_ACCESS_TOKEN): every unprompted send fails, and says why. */
export function metaUnprompted(send: GraphSend | undefined, defaultPhoneNumberId: string | undefined): SendUnprompted {
  return async (stored, output) => {
    const address = metaAddressOf(stored);
    if (address === undefined) throw new Error('not a Meta address');
    if (send === undefined) throw new Error('messages cannot be sent unprompted without META_ACCESS_TOKEN');
    for (const call of graphCalls(address, output, defaultPhoneNumberId)) await send(call);
  };
}
