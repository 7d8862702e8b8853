// A soak user, as a person texting the demo bank bot: what they send at each step, what they
// expect back, and the verdict on what they got. Two conversations per user: signing in and
// reading the balance, then the balance again with the token the bot cached.
import { builtInPhrasebook } from '../src/runtime/phrasebook.js';

const phrases = { trouble: builtInPhrasebook().say('trouble'), interrupted: builtInPhrasebook().say('interrupted') };
import { demoUsers } from '../src/demo/demo-services.js';
import type { LateMessage } from './soak-stand-ins.js';

export type Step = 'hello' | 'username' | 'password' | 'again';
export type Username = 'ada' | 'alan';

const welcome = 'Welcome to ACME Bank.';
const askUsername = 'What is your username?';
const askPassword = 'And your password?';
// scripts/demo.json's other ends: a person reading them stops too.
const otherEnds = ["We couldn't sign you in. Please call us at +1 555 0100.", 'Our systems are busy. Please try again later.'];

function balanceText(username: Username): string {
  const user = demoUsers[username]!;
  return `Hi ${user.name}, your balance is ${user.balance.toFixed(2)} USD.`;
}

/** What the user types at this step. */
export function textFor(step: Step, username: Username): string {
  switch (step) {
    case 'hello':
      return 'hi';
    case 'username':
      return username;
    case 'password':
      return demoUsers[username]!.password;
    case 'again':
      return 'balance please';
  }
}

/** The bot's replies to it, in order. */
export function expectedReplies(step: Step, username: Username): string[] {
  switch (step) {
    case 'hello':
      return [welcome, askUsername];
    case 'username':
      return [askPassword];
    case 'password':
      return [balanceText(username)];
    case 'again':
      return [welcome, balanceText(username)];
  }
}

/** The step after an answered one; 'done' after the second conversation. */
export function nextStep(step: Step): Step | 'done' {
  return ({ hello: 'username', username: 'password', password: 'again', again: 'done' } as const)[step];
}

/** The steps whose answer ends a conversation. */
export function endsConversation(step: Step): boolean {
  return step === 'password' || step === 'again';
}

const sendAgain = new Set([phrases.trouble, phrases.interrupted]);
const terminal = new Set([askUsername, askPassword, balanceText('ada'), balanceText('alan'), ...otherEnds, ...sendAgain]);

/** A reply after which a person stops waiting: a question, an end, or a request to send again. */
export function isTerminal(text: string | undefined): boolean {
  return text !== undefined && terminal.has(text);
}

export function isSendAgain(texts: readonly string[]): boolean {
  return texts.length === 1 && sendAgain.has(texts[0]!);
}

export type Verdict =
  | { kind: 'answered' }
  /** "Sorry, we're having trouble…" or "…interrupted…": the person sends it again. */
  | { kind: 'send-again'; phrase: 'trouble' | 'interrupted' }
  /** No reply, or one missing, by the time-out. */
  | { kind: 'lost' }
  | { kind: 'doubled' }
  | { kind: 'out-of-order' }
  | { kind: 'unexpected' };

/**
 * What a person makes of the replies to one message. `earlier`: every text this user received
 * before; `timedOut`: no question, end or "send again" came within the time-out.
 */
export function judge(expected: readonly string[], received: readonly string[], earlier: ReadonlySet<string>, timedOut: boolean): Verdict {
  const last = received.at(-1);
  if (!timedOut && last !== undefined && sendAgain.has(last)) {
    const before = received.slice(0, -1);
    // What came before the apology must be a start of the answer, each reply once.
    if (before.every((text, i) => text === expected[i])) return { kind: 'send-again', phrase: last === phrases.trouble ? 'trouble' : 'interrupted' };
    return judgeMismatch(expected, before, earlier) ?? { kind: 'unexpected' };
  }
  if (received.length === expected.length && received.every((text, i) => text === expected[i])) return { kind: 'answered' };
  return judgeMismatch(expected, received, earlier) ?? (timedOut ? { kind: 'lost' } : { kind: 'unexpected' });
}

function judgeMismatch(expected: readonly string[], received: readonly string[], earlier: ReadonlySet<string>): Verdict | undefined {
  const want = counts(expected);
  const got = counts(received);
  for (const [text, n] of got) {
    if (n > (want.get(text) ?? 0)) return want.has(text) || earlier.has(text) ? { kind: 'doubled' } : { kind: 'unexpected' };
  }
  if ([...want].every(([text, n]) => got.get(text) === n)) return { kind: 'out-of-order' };
  // Every reply received was expected once, yet some are missing.
  return { kind: 'lost' };
}

/** Late messages found while the person was not waiting for anything: a reply came twice, or late. */
export function judgeStrays(strays: readonly LateMessage[], earlier: ReadonlySet<string>): Verdict | undefined {
  if (strays.length === 0) return undefined;
  return strays.every((stray) => earlier.has(stray.body)) ? { kind: 'doubled' } : { kind: 'unexpected' };
}

function counts(texts: readonly string[]): Map<string, number> {
  const found = new Map<string, number>();
  for (const text of texts) found.set(text, (found.get(text) ?? 0) + 1);
  return found;
}

export interface Inbox {
  push(message: LateMessage): void;
  /** Everything received and not yet read. */
  takeAll(): LateMessage[];
  /** The next message, waiting for it until `until` (performance.now()); undefined past that. */
  next(until: number): Promise<LateMessage | undefined>;
}

/** A user's phone: the late messages sent to it, in arrival order. */
export function createInbox(): Inbox {
  const unread: LateMessage[] = [];
  let wake: (() => void) | undefined;
  return {
    push(message) {
      unread.push(message);
      wake?.();
    },
    takeAll: () => unread.splice(0),
    async next(until) {
      while (unread.length === 0) {
        const left = until - performance.now();
        if (left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return unread.shift();
    },
  };
}
