// What goes into a turn and what comes out: channel-neutral data. Channels translate their
// webhooks into a UserInput and a TurnOutput into their replies; the runtime imports no channel.
import type { InputType } from '../bot/schema.js';
import type { JsonValue } from '../json.js';

export type ChannelId = 'sms' | 'whatsapp' | 'messenger' | 'phone' | 'web';
export const channelIds: readonly ChannelId[] = ['sms', 'whatsapp', 'messenger', 'phone', 'web'];

/**
 * Who vouched for a user id: the platform whose signature or token authenticated the request
 * that named it. Ids vouched for by different authorities live in different keys, so a Twilio
 * user, a Meta user and a Bot Framework user with the same id never share a session or a token.
 * `emulator` (the Bot Framework Emulator, unauthenticated) and `unverified` (TWILIO_VALIDATE=false)
 * vouch for nothing: such users never reach a token beyond their own conversation.
 * `console` is the person at this machine's terminal (`chat`, `demo`).
 */
export type Authority = 'twilio' | 'meta' | 'botframework' | 'emulator' | 'unverified' | 'console';

/** Authorities whose user ids anyone who can reach the server could have made up. */
export function isAuthenticated(authority: Authority): boolean {
  return authority !== 'emulator' && authority !== 'unverified';
}

/** Who the conversation is with. */
export interface User {
  /** Stable id of the user on the channel (phone number, PSID, Bot Framework user id…). */
  id: string;
  channel: ChannelId;
  via: Authority;
  /** E.164 phone number, where the channel knows it. */
  phone?: string;
}

/**
 * Where a channel can reach the user with no webhook to answer (a link sign-in that finished,
 * a reminder): the channel's own JSON, opaque to the runtime. `kind` names the sender that
 * reads it (Engine.senders). The session keeps the newest message's address.
 */
export interface ReplyAddress {
  kind: string;
  [field: string]: JsonValue;
}

/** One inbound message, already translated by its channel. */
export interface UserInput {
  /** What the user typed or said; for the keypad, the digits. */
  text: string;
  /** A tapped choice's value (button payload, quick reply), when the channel has one. */
  choice?: string;
  /** True when `text` came from the phone keypad (DTMF). */
  keypad?: boolean;
}

/** A bot message. `say` is what the phone speaks instead of `text`, when it differs. */
export interface Reply {
  text: string;
  say?: string;
  /** Holds a bearer secret (a sign-in link): sealed wherever the answer is kept for retries. */
  sensitive?: boolean;
}

export interface Choice {
  label: string;
  value: string;
}

/** The question the bot is waiting on at the end of a turn. */
export interface Prompt extends Reply {
  input: InputType;
  choices?: Choice[];
  /** The answer must come from the phone keypad (DTMF) on the phone. */
  keypad: boolean;
  numDigits?: number;
  /**
   * Seconds the phone waits for the answer to begin before taking it as silence (Twilio's
   * default is 5): longer where the caller must do something else first.
   */
  waitSeconds?: number;
  /** The answer is a secret: do not echo it, log it or keep it in a transcript. */
  secret: boolean;
}

/** Everything a turn produced, for the channel to render. */
export interface TurnOutput {
  replies: Reply[];
  prompt?: Prompt;
  /** The conversation ended in this turn (the phone hangs up). */
  ended: boolean;
  /**
   * The conversation's language tag (its `language` variable, else the bot's), in which the
   * channel says its own words (keypad menus, button labels) and the phone speaks.
   */
  language?: string;
}
