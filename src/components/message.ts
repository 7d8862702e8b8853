import type { Component } from './component.js';

export const message: Component<'message'> = {
  run(step, _event, draft) {
    draft.say(step.say === undefined ? { text: draft.text(step.text) } : { text: draft.text(step.text), say: draft.text(step.say) });
    return { kind: 'next' };
  },
};
