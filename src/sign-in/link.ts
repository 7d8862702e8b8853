// Signing in on the service's own page (modes oauth, web) or by a mailed link (email), the pure
// half: send the link, wait for the user to come back with the page's code (or for the page to
// finish by itself), and go on. Shared by the `authToken` step and by `webService`, which signs
// in again after a 401. An email sign-in asks for the address first (email.ts).
import type { LinkDefinition } from '../bot/schema.js';
import { failureWay, type Draft, type Next, type StepEvent } from '../components/component.js';
import { keyedDigits } from '../runtime/answers.js';
import { waitPhrase } from '../runtime/phrasebook.js';
import { linkAgainWords, type PhraseName } from '../runtime/phrases.js';
import type { Wait } from '../runtime/session.js';
import type { Prompt } from '../runtime/turn.js';
import { definitionOf, useToken, type SignInWays } from './credentials.js';
import { askForAddress } from './email.js';

type LinkWait = Extract<Wait, { kind: 'link' }>;

// A caller keys the code only after opening the text message, following the link and signing
// in on the service's page, the phone away from their ear: a minute of silence before the
// question is asked again (and a reminder after a second), rather than Twilio's 5 seconds.
const codeWaitSeconds = 60;

/** Asks the effects for a new link (the first, or "again"); by mail, asks for the address to mail it to first. */
export function beginLinkSignIn(token: string, draft: Draft, tries = 0): Next {
  if (definitionOf(draft, token).mode === 'email') return askForAddress(token, draft, tries);
  return { kind: 'effect', effect: { type: 'link.begin', token }, wait: { kind: 'link', token, expiresAt: 0, verify: true, tries } };
}

export function continueLinkSignIn(event: StepEvent, wait: LinkWait, draft: Draft, ways: SignInWays): Next {
  const definition = linkDefinitionOf(draft, wait.token);

  if (event.kind === 'result') {
    const result = event.result;
    switch (result.type) {
      case 'link.begin': {
        if (!result.ok) {
          if (result.reason === 'throttled') sayPause(draft, result.retryAfterSeconds);
          else if (result.reason === 'flooded') draft.say({ text: draft.phrase('emailFlooded', { minutes: Math.max(1, Math.ceil((result.retryAfterSeconds ?? 3600) / 60)) }) });
          else if (result.reason === 'unreachable') draft.say({ text: draft.phrase('linkNotTexted') });
          else if (ways.failure === undefined) draft.say({ text: draft.phrase('serviceFailed') });
          return failureWay(ways.failure);
        }
        if (result.texted) draft.say({ text: draft.phrase('linkTexted') });
        else if (definition.mode === 'email') draft.say({ text: draft.phrase('emailSent', { to: result.mailedTo ?? '' }) });
        else draft.say({ text: linkText(definition, result.link, draft), sensitive: true });
        return waitFor(draft, { ...wait, expiresAt: result.expiresAt, verify: result.verify });
      }
      case 'link.verify': {
        if (result.ok) {
          useToken(draft.session, wait.token, result.account);
          return ways.signedIn();
        }
        if (result.reason === 'expired') {
          draft.say({ text: draft.phrase('linkExpired') });
          return failureWay(ways.failure);
        }
        if (result.reason === 'throttled') {
          sayPause(draft, result.retryAfterSeconds);
          return failureWay(ways.failure);
        }
        const tries = wait.tries + 1;
        if (tries >= definition.maxAttempts) {
          if (ways.failure === undefined) draft.say({ text: draft.phrase('signInGaveUp') });
          return failureWay(ways.failure);
        }
        draft.say({ text: draft.phrase(result.reason === 'pending' ? waitWords(draft, wait.token).notYet : 'linkWrongCode') });
        return waitFor(draft, { ...wait, tries });
      }
      case 'link.done':
        if (result.token !== wait.token) return waitFor(draft, wait);
        useToken(draft.session, wait.token, result.account);
        return ways.signedIn();
      default:
        return waitFor(draft, wait);
    }
  }

  if (event.kind === 'answer') {
    if (draft.now >= wait.expiresAt) {
      draft.say({ text: draft.phrase('linkExpired') });
      return failureWay(ways.failure);
    }
    const typed = event.input.text.trim().toLowerCase();
    if (linkAgainWords.includes(typed)) return beginLinkSignIn(wait.token, draft, wait.tries);
    const code = wait.verify ? keyedDigits(event.input.text.replace(/[\s-]/g, '')) : undefined;
    if (code !== undefined && /^\d{6}$/.test(code)) return { kind: 'effect', effect: { type: 'link.verify', token: wait.token, code }, wait };
    const words = waitWords(draft, wait.token);
    // Without a code there is none to type; on the phone the code is keyed, and "again" cannot be.
    draft.say({ text: draft.phrase(wait.verify ? words.reminder : words.reminderNoCode), ...(wait.verify && words.reminderSay !== undefined && { say: draft.phrase(words.reminderSay) }) });
    return waitFor(draft, wait);
  }
  return waitFor(draft, wait);
}

function waitFor(draft: Draft, wait: LinkWait): Next {
  const phone = draft.user.channel === 'phone';
  const words = waitWords(draft, wait.token);
  const prompt: Prompt = wait.verify
    ? { text: draft.phrase(words.code), say: draft.phrase('linkCodeSay'), input: 'digits', keypad: phone, numDigits: 6, secret: false, ...(phone && { waitSeconds: codeWaitSeconds }) }
    : { text: draft.phrase(words.waiting), input: 'text', keypad: false, secret: false };
  return { kind: 'wait', wait, prompt };
}

/** What the wait says: a mailed link is opened from a mail, and its page has a button to press. */
function waitWords(draft: Draft, token: string): { code: PhraseName; waiting: PhraseName; reminder: PhraseName; reminderSay?: PhraseName; reminderNoCode: PhraseName; notYet: PhraseName } {
  return definitionOf(draft, token).mode === 'email'
    ? { code: 'emailCode', waiting: 'emailWaiting', reminder: 'emailReminder', reminderNoCode: 'emailReminder', notYet: 'emailNotYet' }
    : { code: 'linkCode', waiting: 'linkWaiting', reminder: 'linkReminder', reminderSay: 'linkReminderSay', reminderNoCode: 'linkReminderNoCode', notYet: 'linkNotYet' };
}

function sayPause(draft: Draft, retryAfterSeconds: number | undefined): void {
  const pause = waitPhrase(retryAfterSeconds ?? 60);
  draft.say({ text: draft.phrase(pause.name, pause.params) });
}

/** The author's words with the link where `{link}` stands; the rest rendered as any text. */
function linkText(definition: Exclude<LinkDefinition, { mode: 'email' }>, link: string, draft: Draft): string {
  return definition.linkText
    .split('{link}')
    .map((part) => draft.text(part))
    .join(link);
}

function linkDefinitionOf(draft: Draft, token: string): LinkDefinition {
  const definition = definitionOf(draft, token);
  if (definition.mode === 'credentials') throw new Error(`auth token definition "${token}" does not sign in by link`);
  return definition;
}
