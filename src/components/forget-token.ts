import type { Component } from './component.js';

export const forgetToken: Component<'forgetToken'> = {
  run(step, event, draft) {
    if (event.kind === 'enter') {
      const account = step.account === undefined ? undefined : draft.text(step.account);
      return { kind: 'effect', effect: { type: 'token.forget', token: step.token, ...(account ? { account } : {}) }, wait: { kind: 'effect' } };
    }
    const session = draft.session;
    // One account forgotten: the others stay, and so does the choice if it was another one.
    if (step.account !== undefined) {
      const account = draft.text(step.account);
      const names = session.accountNames?.[step.token];
      if (names !== undefined) session.accountNames = { ...session.accountNames, [step.token]: names.filter((name) => name !== account) };
      if (session.accounts?.[step.token] !== account) return { kind: 'next' };
    } else if (session.accountNames?.[step.token] !== undefined) {
      const { [step.token]: _all, ...others } = session.accountNames;
      session.accountNames = others;
    }
    if (session.lastToken === step.token) delete session.lastToken;
    if (session.accounts?.[step.token] !== undefined) {
      const { [step.token]: _dropped, ...rest } = session.accounts;
      session.accounts = rest;
    }
    return { kind: 'next' };
  },
};
