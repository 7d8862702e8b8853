// Meta's webhook bodies as turn requests: WhatsApp Cloud API (`entry[].changes[].value.messages[]`)
// and Messenger (`entry[].messaging[]`). Delivery receipts, reads and echoes run nothing.
import type { TurnRequest } from '../../src/runtime/run-turn.js';
import type { ReplyAddress, UserInput } from '../../src/runtime/turn.js';
import { dig, isRecord, phoneOf, records, textOf, type Json } from '../fields.js';

/** Where the replies to one inbound message go. */
export type MetaAddress = { kind: 'whatsapp'; to: string; phoneNumberId: string | undefined } | { kind: 'messenger'; psid: string };

export interface MetaMessage {
  request: TurnRequest;
  address: MetaAddress;
}


export function metaMessages(body: unknown): MetaMessage[] {
  if (!isRecord(body)) return [];
  if (body.object === 'whatsapp_business_account') return whatsappMessages(body);
  if (body.object === 'page') return messengerMessages(body);
  return [];
}

function whatsappMessages(body: Json): MetaMessage[] {
  const found: MetaMessage[] = [];
  for (const entry of records(body.entry)) {
    for (const change of records(entry.changes)) {
      const value = isRecord(change.value) ? change.value : {};
      const metadata = isRecord(value.metadata) ? value.metadata : {};
      const phoneNumberId = textOf(metadata.phone_number_id);
      for (const message of records(value.messages)) {
        const from = textOf(message.from);
        const id = textOf(message.id);
        if (from === undefined || id === undefined) continue;
        // Examples send `16505551234`; the same user reached through Twilio is `+16505551234`.
        const user = from.startsWith('+') ? from : `+${from}`;
        const address: MetaAddress = { kind: 'whatsapp', to: from, phoneNumberId };
        found.push({
          request: {
            user: { id: user, channel: 'whatsapp', via: 'meta', ...phoneOf(user) },
            conversation: `whatsapp:${user}`,
            input: whatsappInput(message),
            delivery: `meta:${id}`,
            ...sentAt(Number(textOf(message.timestamp)) * 1000),
            address: metaReplyAddress(address),
          },
          address,
        });
      }
    }
  }
  return found;
}

function whatsappInput(message: Json): UserInput {
  const at = (...path: string[]) => textOf(dig(message, ...path));
  switch (message.type) {
    case 'text':
      return { text: at('text', 'body') ?? '' };
    case 'interactive': {
      const kind = at('interactive', 'type');
      const reply = kind === 'list_reply' ? 'list_reply' : 'button_reply';
      return withChoice(at('interactive', reply, 'title') ?? '', at('interactive', reply, 'id'));
    }
    case 'button':
      // A template's quick-reply button.
      return withChoice(at('button', 'text') ?? '', at('button', 'payload'));
    default:
      // Images, voice notes, locations…: a message without text, which questions refuse politely.
      return { text: '' };
  }
}

function messengerMessages(body: Json): MetaMessage[] {
  const found: MetaMessage[] = [];
  for (const entry of records(body.entry)) {
    for (const event of records(entry.messaging)) {
      const psid = textOf(dig(event, 'sender', 'id'));
      if (psid === undefined) continue;
      let input: UserInput;
      let mid: string | undefined;
      if (isRecord(event.message)) {
        if (event.message.is_echo === true) continue;
        input = withChoice(textOf(event.message.text) ?? '', textOf(dig(event.message, 'quick_reply', 'payload')));
        mid = textOf(event.message.mid);
      } else if (isRecord(event.postback)) {
        input = withChoice(textOf(event.postback.title) ?? '', textOf(event.postback.payload));
        mid = textOf(event.postback.mid);
      } else continue;
      const request: TurnRequest = { user: { id: psid, channel: 'messenger', via: 'meta' }, conversation: `messenger:${psid}`, input, ...sentAt(Number(event.timestamp)) };
      if (mid !== undefined) request.delivery = `meta:${mid}`;
      const address: MetaAddress = { kind: 'messenger', psid };
      request.address = metaReplyAddress(address);
      found.push({ request, address });
    }
  }
  return found;
}

/** Meta's own time of a message, when it gives a usable one: turns of a user then run in Meta's order. */
function sentAt(ms: number): Pick<TurnRequest, 'sentAt'> {
  return Number.isFinite(ms) && ms > 0 ? { sentAt: ms } : {};
}

function withChoice(textValue: string, choice: string | undefined): UserInput {
  return choice === undefined || choice === '' ? { text: textValue } : { text: textValue, choice };
}

/** The address as the session keeps it, for the Graph API sends of a resumed conversation. */
export function metaReplyAddress(address: MetaAddress): ReplyAddress {
  return address.kind === 'whatsapp'
    ? { kind: 'meta', to: { kind: 'whatsapp', to: address.to, ...(address.phoneNumberId === undefined ? {} : { phoneNumberId: address.phoneNumberId }) } }
    : { kind: 'meta', to: { kind: 'messenger', psid: address.psid } };
}

/** Back from the session: undefined for anything that is not an address this file made. */
export function metaAddressOf(address: ReplyAddress): MetaAddress | undefined {
  const to = address.to;
  if (typeof to !== 'object' || to === null || Array.isArray(to)) return undefined;
  if (to.kind === 'whatsapp' && typeof to.to === 'string') return { kind: 'whatsapp', to: to.to, phoneNumberId: typeof to.phoneNumberId === 'string' ? to.phoneNumberId : undefined };
  if (to.kind === 'messenger' && typeof to.psid === 'string') return { kind: 'messenger', psid: to.psid };
  return undefined;
}
