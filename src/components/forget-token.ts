import type { Component } from './component.js';

export const forgetToken: Component<'forgetToken'> = {
  run(step, event, draft) {
    if (event.kind === 'enter') return { kind: 'effect', effect: { type: 'token.forget', token: step.token }, wait: { kind: 'effect' } };
    const session = draft.session;
    if (session.lastToken === step.token) delete session.lastToken;
    if (session.accounts?.[step.token] !== undefined) {
      const { [step.token]: _dropped, ...rest } = session.accounts;
      session.accounts = rest;
    }
    return { kind: 'next' };
  },
};
