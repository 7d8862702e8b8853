// What the studio page shows, as one JSON snapshot sent on every change (Server-Sent Events).
// Everything in it is already safe to show: secret answers, tokens and `{secret.*}` values
// are masked before they get here, and sessions never hold a token to begin with.
import type { Bot } from '../bot/bot.js';
import { secretKind } from '../bot/checks/steps.js';
import type { Problem } from '../bot/problems.js';
import { maskValues } from '../http/outbound.js';
import type { Session } from '../runtime/session.js';
import type { ChannelId, Choice } from '../runtime/turn.js';
import type { ObservedCall } from '../cli/call-log.js';
import type { ServiceChoice } from './services.js';

/** One line of the transcript. Notes are the studio's own words, never the bot's or the user's. */
export interface Entry {
  id: number;
  from: 'bot' | 'user' | 'note';
  text: string;
  /** What the phone speaks (the bot's lines on the phone). */
  speech?: boolean;
  /** The user's answer to a secret question: `text` is dots, the answer is not kept. */
  masked?: boolean;
  /** Keys pressed on the phone's keypad. */
  keys?: boolean;
}

export interface PromptView {
  /** Buttons or quick replies, on channels that have them; absent where choices are text. */
  buttons?: Choice[];
  secret: boolean;
  /** On the phone: the keypad only, and after how many digits the answer goes by itself. */
  keypadOnly: boolean;
  numDigits?: number;
}

export interface Where {
  /** `SCRIPT#INDEX`, as the graph's `data-step`. */
  step: string;
  type: string;
  /** `FILE:LINE:COL` of the step in the bot file. */
  location: string;
}

export interface SignInView {
  /** The sign-in the conversation waits on, in words; absent when none. */
  pending?: string;
  /** What was answered so far: non-secret answers as given, secret ones as dots. */
  answers: Array<{ field: string; value: string }>;
  /** The accounts signed in, per Auth Token definition (names only; tokens are never shown). */
  accounts: Array<{ definition: string; names: string[] }>;
}

export interface Snapshot {
  /** `file` as the author named it, `path` absolute (for an editor's link). */
  bot: { name: string; file: string; path: string; version: number } | undefined;
  /** The file as last saved does not load: the page runs the last good version. */
  refused: boolean;
  problems: Array<{ severity: 'error' | 'warning'; file: string; line: number; column: number; message: string }>;
  /** Test files that could not be read, and the like: said once, at the top. */
  notes: string[];
  channel: ChannelId;
  user: string;
  services: { choices: ServiceChoice[]; chosen: string };
  transcript: Entry[];
  prompt: PromptView | undefined;
  /** On the phone: whether the call is on. */
  call: 'open' | 'ended' | undefined;
  /** A turn is running. */
  busy: boolean;
  at: Where | undefined;
  /** The steps the last turn ran, in order (`SCRIPT#INDEX`). */
  trail: string[];
  variables: Array<{ name: string; value: string; masked: boolean }>;
  signIn: SignInView;
  calls: ObservedCall[];
  /** The engine's warnings and errors, as `parley chat` prints them. */
  log: string[];
  /** Where each step is written: `SCRIPT#INDEX` → `FILE:LINE:COL`. */
  locations: Record<string, string>;
}

const dots = '••••••';

/** The conversation's variables as the page shows them. */
export function variablesView(vars: Session['vars'] | undefined, masked: readonly string[]): Snapshot['variables'] {
  return Object.entries(vars ?? {}).map(([name, value]) => {
    // A variable named like a password is hidden whatever it holds (the loader warns about it).
    if (secretKind(name) !== undefined) return { name, value: dots, masked: true };
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const shown = maskValues(text, masked);
    return { name, value: shown, masked: shown !== text };
  });
}

/** The sign-in in progress and the accounts signed in. */
export function signInView(session: Session | undefined, bot: Bot, accounts: SignInView['accounts']): SignInView {
  const wait = session?.wait;
  const view: SignInView = { answers: [], accounts };
  switch (wait?.kind) {
    case 'auth': {
      const definition = bot.authTokens[wait.token];
      const questions = definition !== undefined && 'questions' in definition ? definition.questions : [];
      const asked = questions[wait.ask];
      view.pending = `"${wait.token}": question ${wait.ask + 1} of ${questions.length}${asked === undefined ? '' : ` (${asked.field}${asked.secret ? ', secret' : ''})`}${wait.tries > 0 ? `; ${wait.tries} refused ${wait.tries === 1 ? 'try' : 'tries'}` : ''}`;
      for (const question of questions) {
        if (Object.hasOwn(wait.answers, question.field)) view.answers.push({ field: question.field, value: question.secret ? dots : wait.answers[question.field]! });
        else if (wait.sealed !== undefined && Object.hasOwn(wait.sealed, question.field)) view.answers.push({ field: question.field, value: `${dots} (sealed until the sign-in call)` });
      }
      return view;
    }
    case 'link':
      view.pending = `"${wait.token}": a sign-in link was sent${wait.verify ? '; the page will show a code to type here' : ''}; it expires at ${new Date(wait.expiresAt).toLocaleTimeString('en-GB')}`;
      return view;
    case 'account':
      view.pending = `"${wait.token}": which account to use (${wait.names.join(', ')}, or another)`;
      return view;
    default:
      return view;
  }
}

export function problemsView(problems: readonly Problem[]): Snapshot['problems'] {
  return problems.map(({ severity, file, line, column, message }) => ({ severity, file, line, column, message }));
}
