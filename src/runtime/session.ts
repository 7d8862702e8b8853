// The state of one conversation between turns. It is stored as compact JSON (in Redis when
// REDIS_URL is set), so it holds only what the next turn needs and never a token or a secret
// answer: tokens live in the token store, secret answers are sealed until the sign-in call.
import type { Position } from '../bot/bot.js';
import type { JsonValue } from '../json.js';
import type { ReplyAddress } from './turn.js';

export type Vars = Record<string, JsonValue>;

/** What the step at `Session.at` is waiting for. */
export type Wait =
  /** A `question` step: `tries` wrong answers so far. */
  | { kind: 'question'; tries: number }
  /**
   * An `authToken` step (or a `webService` step whose token was refused) asking the questions
   * of definition `token`. `ask` is the index of the question
   * asked; `answers` holds the non-secret answers, `sealed` the secret ones, encrypted, until
   * the sign-in call; `tries` counts refused sign-ins.
   */
  | { kind: 'auth'; token: string; ask: number; tries: number; answers: Record<string, string>; sealed?: Record<string, string> }
  /**
   * A sign-in on the service's page (modes oauth, web, email) for definition `token`: the link was sent
   * and expires at `expiresAt` (epoch ms); `verify`: the user types the page's code here;
   * `tries` counts wrong codes. `phase: 'address'`: an email sign-in asking for the address the
   * link is mailed to (no link yet; `tries` counts addresses that were not one). The address
   * itself is never kept here: it goes with the effect that mails the link.
   */
  | { kind: 'link'; token: string; expiresAt: number; verify: boolean; tries: number; phase?: 'address' }
  /** An `authToken` step of a definition with several accounts cached: which one to use (`names`, then "another"). */
  | { kind: 'account'; token: string; names: string[]; tries: number }
  /** A step waiting for an effect's result (never stored: a turn runs effects to the end). */
  | { kind: 'effect' };

export interface Session {
  /** Where the conversation is; absent before the first step and after the end. */
  at?: Position;
  wait?: Wait;
  vars: Vars;
  /** Epoch ms of the last turn, for `settings.sessionTimeout`. */
  seen: number;
  /**
   * Epoch ms the conversation started. With the conversation id it keys `scope: "conversation"`
   * tokens: on SMS, WhatsApp or Messenger one id carries conversation after conversation, and
   * such a token must end with its own.
   */
  since?: number;
  /** The definition id of the last token acquired: what `{authtoken}` means by default. */
  lastToken?: string;
  /** Account names per definition id, for `{account}` / `{account.ID}`. Not secret. */
  accounts?: Record<string, string>;
  /** With several accounts: the names known to be cached, per definition id, for `{accounts.ID}`. */
  accountNames?: Record<string, string[]>;
  /** A `webService` step to call again once its token was acquired anew after a 401. */
  retry?: Position;
  /** The platform's time of the newest message run (TurnRequest.sentAt), to run none older after it. */
  lastSentAt?: number;
  /** Where the newest message came from: how the conversation reaches its user unprompted. */
  address?: ReplyAddress;
  /** Set once the conversation reached `end`; the next message starts a new one. */
  ended?: boolean;
  /** The bot's revision that wrote this session (Bot.revision), for a reload (relocate.ts). */
  revision?: string;
  /** The id of the step at `at`, when it has one: where to find it again after a reload. */
  stepId?: string;
}

export function newSession(now: number): Session {
  return { vars: {}, seen: now, since: now };
}

/** True when the session is past its idle timeout and the next message starts over. */
export function isExpired(session: Session, now: number, timeoutSeconds: number): boolean {
  return now - session.seen > timeoutSeconds * 1000;
}
