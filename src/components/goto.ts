import type { Component } from './component.js';

export const goto: Component<'goto'> = {
  run(step) {
    // The schema guarantees exactly one of the two.
    if (step.script !== undefined) return { kind: 'jump', to: { script: step.script, step: 0 } };
    return { kind: 'goto', target: step.step ?? '' };
  },
};
