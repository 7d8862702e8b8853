// Several accounts per user (`accounts: "several"`): with more than one cached, an authToken
// step asks which one to use; "Another account" signs in to one more. The pure half.
import type { Draft, Next, StepEvent } from '../components/component.js';
import { builtInPhrases } from '../runtime/phrases.js';
import type { Wait } from '../runtime/session.js';
import type { Choice, Prompt } from '../runtime/turn.js';

type AccountWait = Extract<Wait, { kind: 'account' }>;

const another = 'another-account';
const maxTries = 3;

/** Asks which of `names` to use, "Another account" last: numbered on SMS, buttons where the channel has them, the keypad on the phone. */
export function askWhichAccount(token: string, names: string[], draft: Draft, tries = 0): Next {
  draft.session.accountNames = { ...draft.session.accountNames, [token]: names };
  const choices: Choice[] = [...names.map((name, i) => ({ label: name, value: `account-${i}` })), { label: draft.phrase('anotherAccount'), value: another }];
  const prompt: Prompt = { text: draft.phrase('whichAccount'), input: 'choice', choices, keypad: draft.user.channel === 'phone', secret: false };
  return { kind: 'wait', wait: { kind: 'account', token, names, tries }, prompt };
}

export type AccountPick = { kind: 'account'; name: string } | { kind: 'another' } | { kind: 'unclear' };

/** The user's pick: a tapped choice, the option's number (typed or keyed), or its name. */
export function pickedAccount(event: StepEvent, wait: AccountWait, draft: Pick<Draft, 'phrase'>): AccountPick {
  if (event.kind !== 'answer') return { kind: 'unclear' };
  const { choice, text } = event.input;
  const typed = text.trim().replace(/#$/, '');
  const options = [...wait.names, draft.phrase('anotherAccount')];
  let index: number | undefined;
  if (choice === another) index = wait.names.length;
  else if (choice !== undefined && /^account-\d+$/.test(choice)) index = Number(choice.slice('account-'.length));
  else if (/^\d{1,2}$/.test(typed)) index = Number(typed) - 1;
  else index = options.findIndex((option) => option.toLowerCase() === typed.toLowerCase());
  // "Another account" typed in any built-in language (the words may have changed with the language).
  if (index < 0 && Object.values(builtInPhrases).some((words) => words.anotherAccount.toLowerCase() === typed.toLowerCase())) index = wait.names.length;
  if (index === undefined || index < 0 || index > wait.names.length) return { kind: 'unclear' };
  return index === wait.names.length ? { kind: 'another' } : { kind: 'account', name: wait.names[index]! };
}

/** A pick that could not be read: asked again, then the step's failure way. */
export function askAgain(wait: AccountWait, draft: Draft): Next | 'give-up' {
  if (wait.tries + 1 >= maxTries) return 'give-up';
  draft.say({ text: draft.phrase('invalidChoice') });
  return askWhichAccount(wait.token, wait.names, draft, wait.tries + 1);
}
