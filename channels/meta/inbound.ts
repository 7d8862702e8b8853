// Meta's webhook bodies as turn requests: WhatsApp Cloud API (`entry[].changes[].value.messages[]`)
// and Messenger (`entry[].messaging[]`). Delivery receipts, reads and echoes run nothing.
import type { TurnRequest } from '../../src/runtime/run-turn.js';
import type { UserInput } from '../../src/runtime/turn.js';

/** Where the replies to one inbound message go. */
export type MetaAddress = { kind: 'whatsapp'; to: string; phoneNumberId: string | undefined } | { kind: 'messenger'; psid: string };

export interface MetaMessage {
  request: TurnRequest;
  address: MetaAddress;
}

type Json = Record<string, unknown>;

export function metaMessages(body: unknown): MetaMessage[] {
  if (!isObject(body)) return [];
  if (body.object === 'whatsapp_business_account') return whatsappMessages(body);
  if (body.object === 'page') return messengerMessages(body);
  return [];
}

function whatsappMessages(body: Json): MetaMessage[] {
  const found: MetaMessage[] = [];
  for (const entry of list(body.entry)) {
    for (const change of list(entry.changes)) {
      const value = isObject(change.value) ? change.value : {};
      const metadata = isObject(value.metadata) ? value.metadata : {};
      const phoneNumberId = text(metadata.phone_number_id);
      for (const message of list(value.messages)) {
        const from = text(message.from);
        const id = text(message.id);
        if (from === undefined || id === undefined) continue;
        // Examples send `16505551234`; the same user reached through Twilio is `+16505551234`.
        const user = from.startsWith('+') ? from : `+${from}`;
        found.push({
          request: {
            user: /^\+[1-9]\d{6,14}$/.test(user) ? { id: user, channel: 'whatsapp', via: 'meta', phone: user } : { id: user, channel: 'whatsapp', via: 'meta' },
            conversation: `whatsapp:${user}`,
            input: whatsappInput(message),
            delivery: `meta:${id}`,
            ...sentAt(Number(text(message.timestamp)) * 1000),
          },
          address: { kind: 'whatsapp', to: from, phoneNumberId },
        });
      }
    }
  }
  return found;
}

function whatsappInput(message: Json): UserInput {
  const at = (...path: string[]) => text(dig(message, ...path));
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
  for (const entry of list(body.entry)) {
    for (const event of list(entry.messaging)) {
      const psid = text(dig(event, 'sender', 'id'));
      if (psid === undefined) continue;
      let input: UserInput;
      let mid: string | undefined;
      if (isObject(event.message)) {
        if (event.message.is_echo === true) continue;
        input = withChoice(text(event.message.text) ?? '', text(dig(event.message, 'quick_reply', 'payload')));
        mid = text(event.message.mid);
      } else if (isObject(event.postback)) {
        input = withChoice(text(event.postback.title) ?? '', text(event.postback.payload));
        mid = text(event.postback.mid);
      } else continue;
      const request: TurnRequest = { user: { id: psid, channel: 'messenger', via: 'meta' }, conversation: `messenger:${psid}`, input, ...sentAt(Number(event.timestamp)) };
      if (mid !== undefined) request.delivery = `meta:${mid}`;
      found.push({ request, address: { kind: 'messenger', psid } });
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

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function dig(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) at = isObject(at) ? at[key] : undefined;
  return at;
}
