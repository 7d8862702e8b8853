import type { StepOf } from '../bot/schema.js';
import type { WebRequest } from '../runtime/effect.js';
import type { JsonValue } from '../json.js';
import { isCredential, requestPlaceholders } from '../templates/request-placeholders.js';
import { failureWay, type Component, type Draft, type Next } from './component.js';
import { continueAnySignIn, signInAllowedOn, startSignIn } from '../sign-in/sign-in.js';

export const webService: Component<'webService'> = {
  run(step, event, draft) {
    if (event.kind === 'enter') return call(step, draft);

    if (event.kind === 'result' && event.result.type === 'web.call') {
      const result = event.result;
      const token = tokenOf(step, draft);
      const retried = sameStep(draft.session.retry, draft);
      if (result.ok) {
        delete draft.session.retry;
        if (Object.keys(result.vars).length > 0) draft.session.vars = { ...draft.session.vars, ...result.vars };
        return { kind: 'next' };
      }
      // A refused token is dropped and asked for again, once; a second refusal is an error.
      if (result.unauthorized && token !== undefined && !retried && draft.bot.authTokens[token] !== undefined && signInAllowedOn(draft, token)) {
        draft.session.retry = draft.at;
        // The API refused a token the user had: say why the questions come again.
        if (result.status === 401) draft.say({ text: draft.phrase('signInAgain') });
        // With several accounts, only the refused one is forgotten.
        const account = draft.bot.authTokens[token]?.accounts === 'several' ? draft.session.accounts?.[token] : undefined;
        return { kind: 'effect', effect: { type: 'token.forget', token, ...(account !== undefined && { account }) }, wait: { kind: 'effect' } };
      }
      return failed(step, draft);
    }

    if (event.kind === 'result' && event.result.type === 'token.forget') {
      const token = tokenOf(step, draft);
      return token === undefined ? failed(step, draft) : startSignIn(token, draft);
    }

    const going = continueAnySignIn(event, draft.session.wait, draft, { signedIn: () => call(step, draft), failure: step.onError });
    return going ?? failed(step, draft);
  },
};

function call(step: StepOf<'webService'>, draft: Draft): Next {
  const token = tokenOf(step, draft);
  const request = requestOf(step, draft);
  return { kind: 'effect', effect: token === undefined ? { type: 'web.call', step: draft.at, request } : { type: 'web.call', step: draft.at, token, request }, wait: { kind: 'effect' } };
}

/** What goes out: the step's templates and the conversation's values for them, credentials left to the effect. */
function requestOf(step: StepOf<'webService'>, draft: Draft): WebRequest {
  const templates = { url: step.url, ...(step.headers && { headers: step.headers }), ...(step.body !== undefined && { body: step.body as JsonValue }) };
  const values: Record<string, JsonValue> = {};
  for (const name of requestPlaceholders(templates)) {
    if (isCredential(name)) continue;
    const value = draft.value(name);
    if (value !== undefined) values[name] = value;
  }
  return { method: step.method, ...templates, values, timeoutSeconds: step.timeout, ...(step.save && { save: step.save }) };
}

function failed(step: StepOf<'webService'>, draft: Draft): Next {
  delete draft.session.retry;
  if (step.onError === undefined) draft.say({ text: draft.phrase('serviceFailed') });
  return failureWay(step.onError);
}

function tokenOf(step: StepOf<'webService'>, draft: Draft): string | undefined {
  return step.authToken ?? draft.session.lastToken;
}

function sameStep(retry: { script: string; step: number } | undefined, draft: Draft): boolean {
  return retry !== undefined && retry.script === draft.at.script && retry.step === draft.at.step;
}
