// Which parts of a bot its tests reached: every step, and every way out an author wrote (each
// choice option, each condition branch and its else, each onFailure / onError taken or not).
// The interpreter is watched through its step observer; nothing here changes how it runs.
import type { Bot, Position } from '../bot/bot.js';
import type { BotSource, JsonPath } from '../bot/bot-source.js';
import { allSteps } from '../bot/bot-steps.js';
import type { Step } from '../bot/schema.js';
import { holds } from '../components/condition.js';
import { readAnswer } from '../runtime/answers.js';
import { conversationValue } from '../runtime/scope.js';
import type { StepObserver } from '../runtime/step-observer.js';

/** A way out of a step that a test can take or not. */
export interface Branch {
  script: string;
  index: number;
  /** Stable within the step: `option:1`, `branch:0`, `else`, `onFailure`, `onError`, … */
  way: string;
  /** How an author would name it. */
  label: string;
  /** Relative to the bot file: where the way is written. */
  path: JsonPath;
}

/** What the tests of one run did to one bot. */
export class CoverageRecord {
  readonly steps = new Set<string>();
  readonly ways = new Set<string>();

  readonly observe: StepObserver = (at, step, event, next, session, user) => {
    const here = key(at);
    this.steps.add(here);
    let way: string | undefined;
    switch (step.type) {
      case 'question':
        if (event.kind !== 'answer' || next.kind === 'wait') break;
        {
          const answer = readAnswer(step, event.input);
          if (!answer.ok) way = 'onFailure';
          else if (step.options !== undefined) way = `option:${step.options.findIndex((o) => o.value === answer.value)}`;
          else way = 'answered';
        }
        break;
      case 'condition': {
        const taken = step.branches.findIndex((b) => holds(conversationValue(session, user, b.when.var), b.when.op, b.when.value));
        way = taken < 0 ? 'else' : `branch:${taken}`;
        break;
      }
      case 'authToken':
        if (next.kind === 'next') way = 'signedIn';
        else if (next.kind === 'goto' || next.kind === 'end') way = 'onFailure';
        break;
      case 'webService':
        if (next.kind === 'next') way = 'ok';
        else if (next.kind === 'goto' || next.kind === 'end') way = 'onError';
        break;
      default:
        break;
    }
    if (way !== undefined) this.ways.add(`${here}/${way}`);
  };
}

export function key(at: Position): string {
  return `${at.script}#${at.step}`;
}

/** Every way out of every step that counts for branch coverage, in file order. */
export function branchesOf(bot: Pick<Bot, 'scripts'>): Branch[] {
  return allSteps(bot).flatMap(({ script, index, step, path }) => waysOf(step).map((w) => ({ script, index, ...w, path: [...path, ...w.path] })));
}

function waysOf(step: Step): Array<{ way: string; label: string; path: JsonPath }> {
  switch (step.type) {
    case 'question': {
      const ways = step.options?.map((o, i) => ({ way: `option:${i}`, label: `option "${o.label}"`, path: ['options', i] })) ?? [];
      if (step.onFailure === undefined) return ways;
      if (ways.length === 0) ways.push({ way: 'answered', label: 'answered', path: ['save'] });
      return [...ways, { way: 'onFailure', label: 'onFailure (too many wrong answers)', path: ['onFailure'] }];
    }
    case 'condition':
      return [
        ...step.branches.map((b, i) => ({ way: `branch:${i}`, label: `branch ${i + 1} (${b.when.var} ${b.when.op}${b.when.value === undefined ? '' : ` ${JSON.stringify(b.when.value)}`})`, path: ['branches', i] })),
        step.else === undefined ? { way: 'else', label: 'no branch holds (on to the next step)', path: ['branches'] } : { way: 'else', label: 'else', path: ['else'] },
      ];
    case 'authToken':
      return step.onFailure === undefined
        ? []
        : [
            { way: 'signedIn', label: 'signed in', path: ['token'] },
            { way: 'onFailure', label: 'onFailure (not signed in)', path: ['onFailure'] },
          ];
    case 'webService':
      return step.onError === undefined
        ? []
        : [
            { way: 'ok', label: 'answered', path: ['url'] },
            { way: 'onError', label: 'onError', path: ['onError'] },
          ];
    default:
      return [];
  }
}

export interface Unreached {
  file: string;
  line: number;
  column: number;
  /** What was never reached or taken, in words. */
  what: string;
}

export interface BotCoverage {
  bot: string;
  steps: { reached: number; total: number; percent: number };
  branches: { taken: number; total: number; percent: number };
  /** Steps never reached and ways never taken, in file order. */
  unreached: Unreached[];
}

/** The coverage of one bot: `record` is undefined when no test used it. */
export function coverageOf(bot: Bot, source: BotSource, record: CoverageRecord | undefined): BotCoverage {
  const steps = allSteps(bot);
  const branches = branchesOf(bot);
  const unreached: Unreached[] = [];
  const at = (path: JsonPath, what: string): Unreached => {
    const { line, column } = source.position(source.offset(path));
    return { file: source.file, line, column, what };
  };
  let reached = 0;
  for (const s of steps) {
    if (record?.steps.has(key({ script: s.script, step: s.index }))) reached += 1;
    else unreached.push(at(s.path, `step never reached: ${describeStep(s.step)} (${s.script}#${s.index})`));
  }
  let taken = 0;
  for (const b of branches) {
    if (record?.ways.has(`${b.script}#${b.index}/${b.way}`)) taken += 1;
    else unreached.push(at(b.path, `way never taken: ${b.label} (${b.script}#${b.index})`));
  }
  return {
    bot: bot.source,
    steps: { reached, total: steps.length, percent: percent(reached, steps.length) },
    branches: { taken, total: branches.length, percent: percent(taken, branches.length) },
    unreached: unreached.sort((a, b) => a.line - b.line || a.column - b.column),
  };
}

/** Rounded down, so 99.6% is never shown as 100%. */
function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part / whole) * 1000) / 10;
}

/** A step as the coverage report names it. */
export function describeStep(step: Step): string {
  const id = step.id === undefined ? '' : ` "${step.id}"`;
  return `${step.type}${id}`;
}
