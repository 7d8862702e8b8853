import type { StepOf } from '../bot/schema.js';
import type { Prompt } from '../runtime/turn.js';
import { readAnswer } from '../runtime/answers.js';
import { failureWay, type Component, type Draft } from './component.js';
import { invalidAnswerPhrase } from '../runtime/phrases.js';

export const question: Component<'question'> = {
  run(step, event, draft) {
    if (event.kind !== 'answer') return { kind: 'wait', wait: { kind: 'question', tries: 0 }, prompt: promptOf(step, draft) };

    const answer = readAnswer(step, event.input);
    if (answer.ok) {
      draft.session.vars = { ...draft.session.vars, [step.save]: answer.value };
      return answer.goto === undefined ? { kind: 'next' } : { kind: 'goto', target: answer.goto };
    }
    const tries = (draft.session.wait?.kind === 'question' ? draft.session.wait.tries : 0) + 1;
    if (tries >= step.maxAttempts) {
      if (step.onFailure === undefined) draft.say({ text: draft.phrase('tooManyTries') });
      return failureWay(step.onFailure);
    }
    draft.say({ text: step.invalid === undefined ? draft.phrase(invalidAnswerPhrase[step.input]) : draft.text(step.invalid) });
    return { kind: 'wait', wait: { kind: 'question', tries }, prompt: promptOf(step, draft) };
  },
};

function promptOf(step: StepOf<'question'>, draft: Draft): Prompt {
  const prompt: Prompt = { text: draft.text(step.ask), input: step.input, keypad: step.keypad, secret: false };
  if (step.say !== undefined) prompt.say = draft.text(step.say);
  if (step.options !== undefined) prompt.choices = step.options.map((o) => ({ label: draft.text(o.label), value: o.value }));
  const digits = step.numDigits ?? (step.input === 'yesno' || (step.input === 'choice' && (step.options?.length ?? 0) <= 9) ? 1 : undefined);
  if (digits !== undefined) prompt.numDigits = digits;
  return prompt;
}
