import { failureWay, type Component, type Draft, type Next } from './component.js';
import type { StepOf } from '../bot/schema.js';
import { waitPhrase } from '../runtime/phrasebook.js';
import { askAgain, askWhichAccount, pickedAccount } from '../sign-in/accounts.js';
import { definitionOf, useToken } from '../sign-in/credentials.js';
import { continueAnySignIn, signInRefusedHere, startSignIn } from '../sign-in/sign-in.js';

export const authToken: Component<'authToken'> = {
  run(step, event, draft) {
    if (event.kind === 'enter') {
      const refusal = signInRefusedHere(draft, step.token);
      if (refusal !== undefined) {
        draft.say({ text: refusal });
        return failureWay(step.onFailure);
      }
      const several = definitionOf(draft, step.token).accounts === 'several';
      // Another account, on purpose: whatever is cached, the user signs in again.
      if (several && step.addAccount === true) return startSignIn(step.token, draft);
      const account = several && step.account !== undefined ? draft.text(step.account) : undefined;
      return lookup(step, draft, account === '' ? undefined : account);
    }
    if (event.kind === 'result' && event.result.type === 'token.lookup') {
      const { retryAfterSeconds, accounts } = event.result;
      if (!event.result.found && retryAfterSeconds !== undefined) {
        const wait = waitPhrase(retryAfterSeconds);
        draft.say({ text: draft.phrase(wait.name, wait.params) });
        return failureWay(step.onFailure);
      }
      if (!event.result.found && accounts !== undefined && accounts.length > 1) return askWhichAccount(step.token, accounts, draft);
      if (!event.result.found) return startSignIn(step.token, draft);
      useToken(draft.session, step.token, event.result.account);
      return { kind: 'next' };
    }
    const wait = draft.session.wait;
    if (wait?.kind === 'account') {
      const pick = pickedAccount(event, wait, draft);
      if (pick.kind === 'another') return startSignIn(step.token, draft);
      if (pick.kind === 'account') return lookup(step, draft, pick.name);
      const again = askAgain(wait, draft);
      return again === 'give-up' ? failureWay(step.onFailure) : again;
    }
    const going = continueAnySignIn(event, wait, draft, {
      signedIn: () => ({ kind: 'next' }),
      failure: step.onFailure,
      ...(step.save === undefined ? {} : { save: step.save }),
    });
    return going ?? startSignIn(step.token, draft);
  },
};

function lookup(step: StepOf<'authToken'>, draft: Draft, account: string | undefined): Next {
  return { kind: 'effect', effect: { type: 'token.lookup', token: step.token, ...(account !== undefined && { account }) }, wait: { kind: 'effect' } };
}
