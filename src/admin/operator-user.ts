// How an operator names a user: a channel and the id that channel knows the user by. On SMS,
// WhatsApp and the phone that is the phone number (written any usual way: "+1 555 010-0001");
// on Messenger the page-scoped id (PSID), on web chat the Bot Framework user id. The store
// keeps a user under the authority that vouched for it (turn.ts), so one person on one channel
// may have keys under several: all of them are the user's.
import { channelIds, type Authority, type ChannelId } from '../runtime/turn.js';
import { userKey } from '../runtime/user-key.js';

/** The authorities that can vouch for a user of each channel (the console's `chat` for all). */
const authoritiesOf: Readonly<Record<ChannelId, readonly Authority[]>> = {
  sms: ['twilio', 'unverified', 'console'],
  whatsapp: ['twilio', 'meta', 'unverified', 'console'],
  phone: ['twilio', 'unverified', 'console'],
  messenger: ['meta', 'botframework', 'emulator', 'console'],
  web: ['botframework', 'emulator', 'console'],
};

export interface OperatorUser {
  channel: ChannelId;
  /** The id as the channels write it (`+15550100001`). */
  id: string;
  /** The user's keys under every authority of the channel. */
  keys: string[];
}

export type Named = { ok: true; user: OperatorUser } | { ok: false; problem: string };

const phoneChannels: readonly ChannelId[] = ['sms', 'whatsapp', 'phone'];

export function operatorUser(channel: string, user: string): Named {
  if (!(channelIds as readonly string[]).includes(channel)) return { ok: false, problem: `the channel is one of ${channelIds.join(', ')}` };
  const known = channel as ChannelId;
  const id = phoneChannels.includes(known) ? phoneNumber(user.trim()) : user.trim();
  if (id === '' || id.length > 512) return { ok: false, problem: 'name the user: a phone number on sms, whatsapp and phone, the platform id on messenger and web' };
  return { ok: true, user: { channel: known, id, keys: authoritiesOf[known].map((via) => userKey({ via, channel: known, id })) } };
}

/**
 * A phone number as Twilio and Meta give it (E.164: `+15550100001`) from the ways people write
 * one; anything else (a WhatsApp user id, a Twilio Client `client:alice`) is kept as written.
 */
function phoneNumber(written: string): string {
  const compact = written.replace(/[\s().-]/g, '');
  return /^\+?\d{6,15}$/.test(compact) ? `+${compact.replace(/^\+/, '')}` : written;
}
