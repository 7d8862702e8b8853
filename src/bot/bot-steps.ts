// Walking a checked bot's steps with their JSON paths, and the places where a step names
// another step: what the reference, graph and placeholder checks share.
import type { Bot } from './bot.js';
import type { BotSource, JsonPath } from './bot-source.js';
import type { Step } from './schema.js';

export interface StepAt {
  script: string;
  index: number;
  step: Step;
  path: JsonPath;
}

export function allSteps(bot: Pick<Bot, 'scripts'>): StepAt[] {
  return Object.entries(bot.scripts).flatMap(([script, { steps }]) =>
    steps.map((step, index) => ({ script, index, step, path: ['scripts', script, 'steps', index] })),
  );
}

/** A place in a step that names a step or script to go to. */
export interface TargetRef {
  target: string;
  /** Relative to the step. */
  key: JsonPath;
  /** How an author would call this key in a sentence. */
  label: string;
}

/** Every target a step names, except a goto's `script`, which names only a script. */
export function targetsOf(step: Step): TargetRef[] {
  const refs: TargetRef[] = [];
  switch (step.type) {
    case 'question':
      step.options?.forEach((o, i) => o.goto !== undefined && refs.push({ target: o.goto, key: ['options', i, 'goto'], label: 'this option\'s goto' }));
      if (step.onFailure !== undefined) refs.push({ target: step.onFailure, key: ['onFailure'], label: 'onFailure' });
      break;
    case 'authToken':
      if (step.onFailure !== undefined) refs.push({ target: step.onFailure, key: ['onFailure'], label: 'onFailure' });
      break;
    case 'webService':
      if (step.onError !== undefined) refs.push({ target: step.onError, key: ['onError'], label: 'onError' });
      break;
    case 'condition':
      step.branches.forEach((b, i) => refs.push({ target: b.goto, key: ['branches', i, 'goto'], label: 'this branch\'s goto' }));
      if (step.else !== undefined) refs.push({ target: step.else, key: ['else'], label: 'else' });
      break;
    case 'goto':
      if (step.step !== undefined) refs.push({ target: step.step, key: ['step'], label: 'goto' });
      break;
    case 'message':
    case 'set':
    case 'forgetToken':
    case 'end':
      break;
  }
  return refs;
}

/** How a message names a step: its id, or its type and line. */
export function stepLabel(at: StepAt, source: BotSource, withScript = false): string {
  const where = withScript ? ` of script "${at.script}"` : '';
  return at.step.id !== undefined ? `"${at.step.id}"${where}` : `the ${at.step.type} at line ${source.lineOf(at.path)}${where}`;
}
