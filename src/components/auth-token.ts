import { failureWay, type Component } from './component.js';
import { phrases } from '../runtime/phrases.js';
import { useToken } from '../sign-in/credentials.js';
import { continueAnySignIn, signInRefusedHere, startSignIn } from '../sign-in/sign-in.js';

export const authToken: Component<'authToken'> = {
  run(step, event, draft) {
    if (event.kind === 'enter') {
      const refusal = signInRefusedHere(draft, step.token);
      if (refusal !== undefined) {
        draft.say({ text: refusal });
        return failureWay(step.onFailure);
      }
      return { kind: 'effect', effect: { type: 'token.lookup', token: step.token }, wait: { kind: 'effect' } };
    }
    if (event.kind === 'result' && event.result.type === 'token.lookup') {
      const { retryAfterSeconds } = event.result;
      if (!event.result.found && retryAfterSeconds !== undefined) {
        draft.say({ text: phrases.signInThrottled(retryAfterSeconds) });
        return failureWay(step.onFailure);
      }
      if (!event.result.found) return startSignIn(step.token, draft);
      useToken(draft.session, step.token, event.result.account);
      return { kind: 'next' };
    }
    const going = continueAnySignIn(event, draft.session.wait, draft, {
      signedIn: () => ({ kind: 'next' }),
      failure: step.onFailure,
      ...(step.save === undefined ? {} : { save: step.save }),
    });
    return going ?? startSignIn(step.token, draft);
  },
};
