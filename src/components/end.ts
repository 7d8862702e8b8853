import type { Component } from './component.js';

export const end: Component<'end'> = {
  run(step, _event, draft) {
    if (step.text !== undefined) {
      draft.say(step.say === undefined ? { text: draft.text(step.text) } : { text: draft.text(step.text), say: draft.text(step.say) });
    }
    return { kind: 'end' };
  },
};
