// Signing in on the service's own page (modes oauth, web), the pure half: send the link, wait
// for the user to come back with the page's code (or for the page to finish by itself), and go
// on. Shared by the `authToken` step and by `webService`, which signs in again after a 401.
import type { LinkDefinition } from '../bot/schema.js';
import { failureWay, type Draft, type Next, type StepEvent } from '../components/component.js';
import { keyedDigits } from '../runtime/answers.js';
import { waitPhrase } from '../runtime/phrasebook.js';
import { linkAgainWords } from '../runtime/phrases.js';
import type { Wait } from '../runtime/session.js';
import type { Prompt } from '../runtime/turn.js';
import { definitionOf, useToken, type SignInWays } from './credentials.js';

type LinkWait = Extract<Wait, { kind: 'link' }>;

/** Asks the effects for a new link (the first, or "again"). */
export function beginLinkSignIn(token: string, draft: Draft, tries = 0): Next {
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
          else if (result.reason === 'unreachable') draft.say({ text: draft.phrase('linkNotTexted') });
          else if (ways.failure === undefined) draft.say({ text: draft.phrase('serviceFailed') });
          return failureWay(ways.failure);
        }
        if (result.texted) draft.say({ text: draft.phrase('linkTexted') });
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
        draft.say({ text: draft.phrase(result.reason === 'pending' ? 'linkNotYet' : 'linkWrongCode') });
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
    draft.say({ text: draft.phrase('linkReminder') });
    return waitFor(draft, wait);
  }
  return waitFor(draft, wait);
}

function waitFor(draft: Draft, wait: LinkWait): Next {
  const phone = draft.user.channel === 'phone';
  const prompt: Prompt = wait.verify
    ? { text: draft.phrase('linkCode'), say: draft.phrase('linkCodeSay'), input: 'digits', keypad: phone, numDigits: 6, secret: false }
    : { text: draft.phrase('linkWaiting'), input: 'text', keypad: false, secret: false };
  return { kind: 'wait', wait, prompt };
}

function sayPause(draft: Draft, retryAfterSeconds: number | undefined): void {
  const pause = waitPhrase(retryAfterSeconds ?? 60);
  draft.say({ text: draft.phrase(pause.name, pause.params) });
}

/** The author's words with the link where `{link}` stands; the rest rendered as any text. */
function linkText(definition: LinkDefinition, link: string, draft: Draft): string {
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
