// A turn's output as Twilio messages: TwiML for the webhook's answer, and the REST API for
// what a slow turn produces after that answer has gone.
// The REST client is loaded when it first sends: the SDK's index loads it whole (a third of a
// second at start), and only late replies need it.
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioHttp from 'twilio/lib/http/response.js';
import type { TurnOutput } from '../../src/runtime/turn.js';
import { numberedList } from '../choices.js';
import { xmlText } from '../xml-text.js';

/** The texts of a turn, one per message, the question last (choices as a numbered list). */
export function messageTexts(output: TurnOutput): string[] {
  const texts = output.replies.map((reply) => reply.text).filter((text) => text !== '');
  if (output.prompt !== undefined) texts.push(numberedList(output.prompt));
  return texts;
}

/**
 * The webhook's answer: a <Message> per text. Written as a string, not by the SDK's
 * MessagingResponse: its XML builder was a twentieth of the webhook's own work, on every
 * message, for a document of one shape. The SDK stays the reference: a property test checks
 * that both write the same bytes for any text (test/channels/messaging-twiml.test.ts).
 */
export function messagingTwiml(output: TurnOutput): string {
  let twiml = '<?xml version="1.0" encoding="UTF-8"?><Response>';
  const texts = messageTexts(output);
  if (texts.length === 0) return `${twiml.slice(0, -1)}/>`;
  for (const text of texts) {
    const body = escapeText(xmlText(text));
    twiml += body === '' ? '<Message/>' : `<Message>${body}</Message>`;
  }
  return `${twiml}</Response>`;
}

// What XML text content must escape, as the SDK's builder (xmlbuilder) escapes it: a carriage
// return too, so that a parser does not turn it into a line feed.
const special = /[&<>\r]/g;
const entity: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };

function escapeText(text: string): string {
  return text.replace(special, (character) => entity[character]!);
}

export interface OutboundMessage {
  from: string;
  to: string;
  body: string;
}

export type SendMessage = (message: OutboundMessage) => Promise<void>;

export interface TwilioRestSettings {
  accountSid: string;
  authToken: string;
  /** Where api.twilio.com is reached instead (a stand-in in tests). */
  apiUrl?: string;
}

/** Sends through Twilio's REST API (Messages.create), one message per call; the SDK is loaded on the first. */
export function twilioSender(settings: TwilioRestSettings): SendMessage {
  let client: Promise<{ messages: { create(message: OutboundMessage): Promise<unknown> } }> | undefined;
  return async (message) => {
    if (client === undefined) {
      client = restClient(settings);
      // A load that failed is tried again by the next send.
      client.catch(() => (client = undefined));
    }
    await (await client).messages.create(message);
  };
}

async function restClient(settings: TwilioRestSettings) {
  const { default: twilio } = await import('twilio');
  // The SDK builds absolute https://api.twilio.com URLs; this client sends them to another
  // origin (TWILIO_API_URL: a regional edge, a proxy, a stand-in), keeping the path.
  class RedirectedRequestClient extends twilio.RequestClient {
    readonly #origin: URL;

    constructor(apiUrl: string) {
      super();
      this.#origin = new URL(apiUrl);
    }

    override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioHttp.default<TData>> {
      const target = new URL(opts.uri);
      target.protocol = this.#origin.protocol;
      target.host = this.#origin.host;
      return super.request<TData>({ ...opts, uri: target.href });
    }
  }
  const options = settings.apiUrl === undefined ? {} : { httpClient: new RedirectedRequestClient(settings.apiUrl) };
  return twilio(settings.accountSid, settings.authToken, options);
}
