import { failureWay, type Component } from './component.js';
import { waitPhrase } from '../runtime/phrasebook.js';
import { askFirst, continueSignIn, useToken } from '../sign-in/credentials.js';

export const authToken: Component<'authToken'> = {
  run(step, event, draft) {
    if (event.kind === 'enter') {
      // Web chat has no trustworthy way to sign a user in (as in the product this replaces).
      if (draft.user.channel === 'web') {
        draft.say({ text: draft.phrase('signInNotHere') });
        return failureWay(step.onFailure);
      }
      return { kind: 'effect', effect: { type: 'token.lookup', token: step.token }, wait: { kind: 'effect' } };
    }
    if (event.kind === 'result' && event.result.type === 'token.lookup') {
      const { retryAfterSeconds } = event.result;
      if (!event.result.found && retryAfterSeconds !== undefined) {
        const wait = waitPhrase(retryAfterSeconds);
        draft.say({ text: draft.phrase(wait.name, wait.params) });
        return failureWay(step.onFailure);
      }
      if (!event.result.found) return askFirst(step.token, draft);
      useToken(draft.session, step.token, event.result.account);
      return { kind: 'next' };
    }
    const wait = draft.session.wait;
    if (wait?.kind !== 'auth') return askFirst(step.token, draft);
    return continueSignIn(event, wait, draft, {
      signedIn: () => ({ kind: 'next' }),
      failure: step.onFailure,
      ...(step.save === undefined ? {} : { save: step.save }),
    });
  },
};
