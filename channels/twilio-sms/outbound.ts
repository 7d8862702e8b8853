// A turn's output as Twilio messages: TwiML for the webhook's answer, and the REST API for
// what a slow turn produces after that answer has gone.
import twilio from 'twilio';
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

export function messagingTwiml(output: TurnOutput): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const text of messageTexts(output)) response.message(xmlText(text));
  return response.toString();
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

/** Sends through Twilio's REST API (Messages.create), one message per call. */
export function twilioSender(settings: TwilioRestSettings): SendMessage {
  const options = settings.apiUrl === undefined ? {} : { httpClient: new RedirectedRequestClient(settings.apiUrl) };
  const client = twilio(settings.accountSid, settings.authToken, options);
  return async (message) => {
    await client.messages.create(message);
  };
}

// The SDK builds absolute https://api.twilio.com URLs; this client sends them to another
// origin, keeping the path, so a test can stand in for Twilio.
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
