// Asking an Auth Token definition's questions and reading the auth service's verdict. Shared
// by the `authToken` step and by `webService`, which signs in again when an API answers 401.
import type { AuthTokenDefinition, CredentialsDefinition } from '../bot/schema.js';
import type { Session, Wait } from '../runtime/session.js';
import type { Prompt } from '../runtime/turn.js';
import { keyedDigits } from '../runtime/answers.js';
import { failureWay, type Draft, type Next, type StepEvent } from '../components/component.js';
import { waitPhrase } from '../runtime/phrasebook.js';

type AuthWait = Extract<Wait, { kind: 'auth' }>;

export interface SignInWays {
  /** Where to go once a token was acquired. */
  signedIn: () => Next;
  /** The step's failure target (`onFailure` or `onError`). */
  failure: string | undefined;
  /** Variables to save from the auth service's answer. */
  save?: Record<string, string>;
}

export function definitionOf(draft: Draft, token: string): AuthTokenDefinition {
  const definition = draft.bot.authTokens[token];
  // The loader refuses bots that name an unknown definition.
  if (definition === undefined) throw new Error(`unknown auth token definition "${token}"`);
  return definition;
}

/** A definition that signs in by questions (the callers know it from the wait they are in). */
function credentialsOf(draft: Draft, token: string): CredentialsDefinition {
  const definition = definitionOf(draft, token);
  if (definition.mode !== 'credentials') throw new Error(`auth token definition "${token}" does not sign in by questions`);
  return definition;
}

/** Starts (or starts again) asking the questions of definition `token`. */
export function askFirst(token: string, draft: Draft, tries = 0): Next {
  return ask(draft, { kind: 'auth', token, ask: 0, tries, answers: {} });
}

/** Marks the token of `token` as the one `{authtoken}` means, and remembers the account. */
export function useToken(session: Session, token: string, account: string | undefined): void {
  session.lastToken = token;
  if (account === undefined) return;
  session.accounts = { ...session.accounts, [token]: account };
  const known = session.accountNames?.[token] ?? [];
  if (!known.includes(account)) session.accountNames = { ...session.accountNames, [token]: [...known, account] };
}

/** Goes on with a sign-in in progress: an answer to a question, or a result of an effect. */
export function continueSignIn(event: StepEvent, wait: AuthWait, draft: Draft, ways: SignInWays): Next {
  const definition = credentialsOf(draft, wait.token);
  const question = definition.questions[wait.ask];
  if (question === undefined) return askFirst(wait.token, draft, wait.tries);

  if (event.kind === 'answer') {
    const typed = event.input.text.trim();
    const value = definition.validation === 'number' ? keyedDigits(typed) : typed;
    if (value === undefined || value === '') {
      if (definition.validation === 'number') draft.say({ text: draft.phrase('digitsOnly') });
      return ask(draft, wait);
    }
    const last = wait.ask === definition.questions.length - 1;
    if (!last) {
      // A secret answer asked before the last question waits for the call sealed, never in clear.
      if (question.secret) return { kind: 'effect', effect: { type: 'secret.seal', value }, wait };
      return ask(draft, { ...wait, ask: wait.ask + 1, answers: { ...wait.answers, [question.field]: value } });
    }
    const { sealed, ...rest } = wait;
    return {
      kind: 'effect',
      effect: {
        type: 'auth.signIn',
        token: wait.token,
        answers: { ...wait.answers, [question.field]: value },
        sealed: sealed ?? {},
        ...(ways.save === undefined ? {} : { save: ways.save }),
      },
      // The answers went with the effect; nothing of them stays in the session.
      wait: { ...rest, answers: {} },
    };
  }

  if (event.kind === 'result' && event.result.type === 'secret.seal') {
    return ask(draft, { ...wait, ask: wait.ask + 1, sealed: { ...wait.sealed, [question.field]: event.result.sealed } });
  }

  if (event.kind === 'result' && event.result.type === 'auth.signIn') {
    const result = event.result;
    if (result.ok) {
      useToken(draft.session, wait.token, result.account);
      if (Object.keys(result.vars).length > 0) draft.session.vars = { ...draft.session.vars, ...result.vars };
      return ways.signedIn();
    }
    if (result.reason === 'throttled') {
      const pause = waitPhrase(result.retryAfterSeconds ?? 60);
      draft.say({ text: draft.phrase(pause.name, pause.params) });
      return failureWay(ways.failure);
    }
    const tries = wait.tries + 1;
    if (tries >= definition.maxAttempts) {
      // The author's failure way speaks for itself: the built-in words only when there is none.
      if (ways.failure === undefined) draft.say({ text: draft.phrase(result.reason === 'unavailable' ? 'serviceFailed' : 'signInGaveUp') });
      return failureWay(ways.failure);
    }
    const invalid = definition.invalidMessage === undefined ? draft.phrase('signInRefused') : draft.text(definition.invalidMessage);
    draft.say({ text: result.reason === 'unavailable' ? draft.phrase('signInUnavailable') : invalid });
    return askFirst(wait.token, draft, tries);
  }

  // Anything else (a stray result) asks the current question again rather than losing the flow.
  return ask(draft, wait);
}

function ask(draft: Draft, wait: AuthWait): Next {
  const definition = credentialsOf(draft, wait.token);
  const question = definition.questions[wait.ask];
  if (question === undefined) throw new Error(`question ${wait.ask} of "${wait.token}" does not exist`);
  const byNumber = definition.validation === 'number';
  const prompt: Prompt = { text: draft.text(question.ask), input: byNumber ? 'digits' : 'text', keypad: byNumber, secret: question.secret };
  if (question.say !== undefined) prompt.say = draft.text(question.say);
  return { kind: 'wait', wait, prompt };
}
