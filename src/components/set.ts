import type { JsonValue } from '../json.js';
import type { Component } from './component.js';

const lonePlaceholder = /^\{([A-Za-z0-9_.-]+)\}$/;

export const set: Component<'set'> = {
  run(step, _event, draft) {
    const vars = { ...draft.session.vars };
    for (const [name, template] of Object.entries(step.vars)) {
      // "{count}" keeps the value's own type, as in JSON bodies, so numbers stay numbers.
      const lone = lonePlaceholder.exec(template);
      const value: JsonValue = lone?.[1] !== undefined ? (draft.value(lone[1]) ?? null) : draft.text(template);
      vars[name] = value;
    }
    draft.session.vars = vars;
    return { kind: 'next' };
  },
};
