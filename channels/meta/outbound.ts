// A turn's output as Graph API calls: WhatsApp messages (reply buttons for up to 3 choices, a
// list for up to 10, numbered text beyond) and Messenger messages with quick replies.
import { builtInWords, type Phrasebook, type Words } from '../../src/runtime/phrasebook.js';
import type { Prompt, TurnOutput } from '../../src/runtime/turn.js';
import { buttonChoices, numberedList } from '../choices.js';
import type { MetaAddress } from './inbound.js';

export interface GraphCall {
  /** Relative to the Graph base URL: `/{phone-number-id}/messages` or `/me/messages`. */
  path: string;
  body: object;
}

// WhatsApp's and Messenger's own limits on button and row titles and counts.
const whatsappButtonTitle = 20;
const whatsappRowTitle = 24;
const whatsappInteractiveBody = 1024;
const messengerQuickReplies = 13;
const messengerQuickReplyTitle = 20;

export function graphCalls(address: MetaAddress, output: TurnOutput, defaultPhoneNumberId: string | undefined, words: Words = builtInWords): GraphCall[] {
  const phrasebook = words(output.language);
  const texts = output.replies.map((reply) => reply.text).filter((text) => text !== '');
  if (address.kind === 'whatsapp') {
    const path = `/${address.phoneNumberId ?? defaultPhoneNumberId ?? ''}/messages`;
    const bodies = texts.map((text) => whatsappText(address.to, text));
    if (output.prompt !== undefined) bodies.push(whatsappQuestion(address.to, output.prompt, phrasebook));
    return bodies.map((body) => ({ path, body }));
  }
  const bodies = texts.map((text) => messenger(address.psid, { text }));
  if (output.prompt !== undefined) bodies.push(messengerQuestion(address.psid, output.prompt, phrasebook));
  return bodies.map((body) => ({ path: '/me/messages', body }));
}

function whatsappText(to: string, text: string): object {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: text } };
}

function whatsappQuestion(to: string, prompt: Prompt, words: Phrasebook): object {
  const choices = buttonChoices(prompt, words);
  if (choices.length === 0 || choices.length > 10 || prompt.text.length > whatsappInteractiveBody) return whatsappText(to, numberedList(prompt));
  const interactive =
    choices.length <= 3
      ? {
          type: 'button',
          body: { text: prompt.text },
          action: { buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.value, title: clip(c.label, whatsappButtonTitle) } })) },
        }
      : {
          type: 'list',
          body: { text: prompt.text },
          action: { button: clip(words.say('listButton'), whatsappButtonTitle), sections: [{ rows: choices.map((c) => ({ id: c.value, title: clip(c.label, whatsappRowTitle) })) }] },
        };
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'interactive', interactive };
}

function messengerQuestion(psid: string, prompt: Prompt, words: Phrasebook): object {
  const choices = buttonChoices(prompt, words);
  if (choices.length === 0) return messenger(psid, { text: prompt.text });
  if (choices.length > messengerQuickReplies) return messenger(psid, { text: numberedList(prompt) });
  return messenger(psid, {
    text: prompt.text,
    quick_replies: choices.map((c) => ({ content_type: 'text', title: clip(c.label, messengerQuickReplyTitle), payload: c.value })),
  });
}

function messenger(psid: string, message: object): object {
  return { recipient: { id: psid }, messaging_type: 'RESPONSE', message };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export type GraphSend = (call: GraphCall) => Promise<void>;

/** Posts to the Graph API with the page's or the WhatsApp business's access token. */
export function graphSender(settings: { graphUrl: string; accessToken: string; timeoutMs?: number }): GraphSend {
  const base = settings.graphUrl.replace(/\/+$/, '');
  return async (call) => {
    const response = await fetch(base + call.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.accessToken}` },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
    });
    // Read it whole so the connection is reused; the body is not logged (it may echo the message).
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the Graph API answered ${response.status} to ${call.path.replace(/^\/\d+/, '/{id}')}`);
  };
}
