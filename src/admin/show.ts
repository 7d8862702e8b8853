// What an operator sees of a user (GET /admin/conversations/:channel/:user, `parley admin
// show`): each conversation's place in the bot, what it waits for, its variables (secrets and
// credentials masked), the accounts signed in (never a token) and sign-in back-off.
import { stepAt, type Bot } from '../bot/bot.js';
import { readBackOffKey } from '../effects/back-off.js';
import { isAccountList } from '../effects/token-cache.js';
import { readFailureKey, readTokenKey } from '../effects/token-key.js';
import type { JsonValue } from '../json.js';
import type { Session } from '../runtime/session.js';
import { readKeyPart } from '../runtime/user-key.js';
import type { Store } from '../stores/store.js';
import { mask, maskVariables } from './masking.js';
import type { OperatorUser } from './operator-user.js';

export interface ConversationView {
  /** Who vouched for the user: twilio, meta, botframework, emulator, unverified, console. */
  authority: string;
  /** The platform's conversation (`phone:CA…` for a call); absent for a user's own thread. */
  conversation?: string;
  /** Where the conversation is; absent once it ended. */
  position?: { script: string; step: number; stepId?: string; stepType?: string };
  waiting?:
    | { kind: 'question'; tries: number }
    | { kind: 'sign-in'; definition: string; question: number; tries: number; answers: Record<string, string> }
    /** A sign-in by link: the link's expiry, whether a code is awaited, wrong codes so far. */
    | { kind: 'sign-in-link'; definition: string; expiresAt: string; code: boolean; tries: number }
    /** Which of several accounts to use. */
    | { kind: 'account'; definition: string; accounts: string[]; tries: number };
  variables: Record<string, JsonValue>;
  /** Accounts named in this conversation, by definition. */
  accounts: Record<string, string>;
  startedAt?: string;
  lastMessageAt: string;
  expiresInSeconds: number;
  ended: boolean;
}

export interface AccountView {
  authority: string;
  bot: string;
  definition: string;
  scope: 'user' | 'conversation';
  /** Null when the record cannot be opened (TOKEN_ENCRYPTION_KEY changed). */
  account: string | null;
  expiresInSeconds: number;
}

export interface BackOffView {
  authority: string;
  bot: string;
  definition: string;
  /** Refused sign-ins in the last day. */
  failures: number;
  /** Seconds before the user may try again; 0 when not paused. */
  pausedForSeconds: number;
}

export interface UserView {
  channel: string;
  user: string;
  conversations: ConversationView[];
  accounts: AccountView[];
  backOff: BackOffView[];
  /** Keys of deliveries (with their answers), replay marks, lock queues and a call's scratch values. */
  otherKeys: number;
}

export async function showUser(store: Store, user: OperatorUser, options: { bot?: Bot; now?: number } = {}): Promise<UserView> {
  const now = options.now ?? Date.now();
  const found = await store.users.find(user.keys);
  const conversations = found.sessions
    .map(({ conversation, session, expiresInSeconds }) => conversationView(conversation, JSON.parse(session.value) as Session, expiresInSeconds, options.bot))
    .sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));

  const accounts: AccountView[] = [];
  for (const token of found.tokens) {
    const parts = readTokenKey(token.key);
    if (parts === undefined || isAccountList(token.key)) continue;
    accounts.push({ ...parts, account: token.account ?? null, expiresInSeconds: seconds(token.expiresInSeconds) });
  }

  const backOff = new Map<string, BackOffView>();
  let others = found.others;
  for (const { key, value, expiresInSeconds } of found.keyed) {
    const kind = readBackOffKey(key);
    const parts = kind === undefined ? undefined : readFailureKey(kind.failureKey);
    if (kind === undefined || parts === undefined) {
      others++;
      continue;
    }
    const view = backOff.get(kind.failureKey) ?? { ...parts, failures: 0, pausedForSeconds: 0 };
    if (kind.kind === 'failures') view.failures = Number(value) || 0;
    else view.pausedForSeconds = Math.max(0, Math.ceil(Math.min(seconds(expiresInSeconds), (Number(value) - now) / 1000)));
    backOff.set(kind.failureKey, view);
  }
  return { channel: user.channel, user: user.id, conversations, accounts, backOff: [...backOff.values()], otherKeys: others };
}

function conversationView(key: string, session: Session, expiresInSeconds: number, bot: Bot | undefined): ConversationView {
  // via:channel:id, then the platform's conversation when it is not the user's own thread.
  const [authority = '', , , conversation] = key.split(':');
  const view: ConversationView = {
    authority,
    variables: maskVariables(session.vars ?? {}),
    accounts: { ...session.accounts },
    lastMessageAt: new Date(session.seen).toISOString(),
    expiresInSeconds: seconds(expiresInSeconds),
    ended: session.ended === true,
  };
  if (conversation !== undefined) view.conversation = readKeyPart(conversation);
  if (session.since !== undefined) view.startedAt = new Date(session.since).toISOString();
  if (session.at !== undefined) {
    const step = bot === undefined ? undefined : stepAt(bot, session.at);
    view.position = { ...session.at, ...(step?.id === undefined ? {} : { stepId: step.id }), ...(step === undefined ? {} : { stepType: step.type }) };
  }
  const wait = session.wait;
  if (wait?.kind === 'question') view.waiting = { kind: 'question', tries: wait.tries };
  if (wait?.kind === 'auth') {
    // Answers given so far: the ones not secret as they are, the sealed ones masked.
    const answers: Record<string, string> = { ...wait.answers };
    for (const field of Object.keys(wait.sealed ?? {})) answers[field] = mask;
    view.waiting = { kind: 'sign-in', definition: wait.token, question: wait.ask, tries: wait.tries, answers };
  }
  if (wait?.kind === 'link') view.waiting = { kind: 'sign-in-link', definition: wait.token, expiresAt: new Date(wait.expiresAt).toISOString(), code: wait.verify, tries: wait.tries };
  if (wait?.kind === 'account') view.waiting = { kind: 'account', definition: wait.token, accounts: wait.names, tries: wait.tries };
  return view;
}

function seconds(value: number): number {
  return Number.isFinite(value) ? Math.ceil(value) : -1;
}
