// The bot as a graph of steps: which steps can ever run, and which loops can never end.
import { resolveTarget } from './bot.js';
import type { Bot, Position } from './bot.js';
import type { BotSource, JsonPath } from './bot-source.js';
import { allSteps, stepLabel, targetsOf } from './bot-steps.js';
import type { StepAt } from './bot-steps.js';
import type { Problem } from './problems.js';
import type { Step } from './schema.js';

export function checkGraph(bot: Bot, source: BotSource): Problem[] {
  return [...unreachableSteps(bot, source), ...endlessLoops(bot, source)];
}

interface Edge {
  to: Position;
  /** The key (relative to the step) that jumps; none for falling through to the next step. */
  key?: JsonPath;
}

/**
 * Where the conversation can go after a step. A step falls through to the next one unless it
 * always jumps or ends; the end of a script ends the conversation. Errs on the side of an edge
 * too many (a question falls through even if every option jumps) so no step is called
 * unreachable that might run.
 */
export function successors(bot: Bot, at: Position): Edge[] {
  const step = bot.scripts[at.script]?.steps[at.step];
  if (!step) return [];
  const edges: Edge[] = [];
  for (const ref of targetsOf(step)) {
    const to = resolveTarget(bot, at.script, ref.target);
    if (to) edges.push({ to, key: ref.key });
  }
  if (step.type === 'goto' && step.script !== undefined && Object.hasOwn(bot.scripts, step.script))
    edges.push({ to: { script: step.script, step: 0 }, key: ['script'] });
  if (fallsThrough(step) && at.step + 1 < (bot.scripts[at.script]?.steps.length ?? 0)) edges.push({ to: { script: at.script, step: at.step + 1 } });
  return edges;
}

function fallsThrough(step: Step): boolean {
  if (step.type === 'goto' || step.type === 'end') return false;
  if (step.type === 'condition') return step.else === undefined;
  return true;
}

const key = (p: Position): string => `${p.script}\u0000${p.step}`;

function reachable(bot: Bot): Set<string> {
  const roots: Position[] = [bot.start, ...bot.triggers.map((t) => t.script)]
    .filter((s) => Object.hasOwn(bot.scripts, s))
    .map((script) => ({ script, step: 0 }));
  const seen = new Set<string>(roots.map(key));
  const queue = [...roots];
  for (let at = queue.shift(); at; at = queue.shift()) {
    for (const { to } of successors(bot, at)) {
      if (seen.has(key(to))) continue;
      seen.add(key(to));
      queue.push(to);
    }
  }
  return seen;
}

function unreachableSteps(bot: Bot, source: BotSource): Problem[] {
  // Without a start there is nothing to measure from; that error is reported already.
  if (!Object.hasOwn(bot.scripts, bot.start)) return [];
  const seen = reachable(bot);
  const problems: Problem[] = [];
  for (const [script, { steps }] of Object.entries(bot.scripts)) {
    if (!steps.some((_, step) => seen.has(key({ script, step })))) {
      problems.push(
        source.warning(
          'unreachable-script',
          ['scripts', script],
          `script "${script}" never runs: it is not the start, no trigger starts it and nothing jumps to it: add a trigger or a goto for it, or remove it`,
          { at: 'key' },
        ),
      );
      continue;
    }
    // One warning per run of dead steps: a dead step usually takes the ones after it along.
    for (let first = 0; first < steps.length; first++) {
      if (seen.has(key({ script, step: first }))) continue;
      let last = first;
      while (last + 1 < steps.length && !seen.has(key({ script, step: last + 1 }))) last++;
      problems.push(source.warning('unreachable-step', ['scripts', script, 'steps', first], unreachableMessage(steps, first, last, source, script)));
      first = last;
    }
  }
  return problems;
}

function unreachableMessage(steps: readonly Step[], first: number, last: number, source: BotSource, script: string): string {
  const before = steps[first - 1];
  const reason =
    before === undefined
      ? 'nothing jumps to the start of the script'
      : before.type === 'goto'
        ? 'the goto before it always jumps away'
        : before.type === 'end'
          ? 'the conversation ends just before it'
          : 'the condition before it always branches';
  const id = steps[first]?.id;
  if (first === last) {
    const fix = id !== undefined ? `jump to "${id}" from somewhere, or remove it` : 'give it an "id" and jump to it, or remove it';
    return `this step never runs: ${reason}, and no goto, onFailure, onError, option or branch leads to it: ${fix}`;
  }
  const to = source.lineOf(['scripts', script, 'steps', last]);
  return `this step and the ${last - first} after it (to line ${to}) never run: ${reason}, and nothing leads to them: jump to ${id !== undefined ? `"${id}"` : 'the first of them'}, or remove them`;
}

/**
 * Steps that never wait for the user and always go to exactly one next step. A cycle of them
 * runs forever within one turn. Conditions and web services are left out: their way out may
 * depend on variables that change inside the loop, which the loader cannot know.
 */
function loopsForever(step: Step): boolean {
  return step.type === 'message' || step.type === 'set' || step.type === 'goto' || step.type === 'forgetToken';
}

function endlessLoops(bot: Bot, source: BotSource): Problem[] {
  const steps = new Map(allSteps(bot).map((at) => [key({ script: at.script, step: at.index }), at]));
  // Each such step has at most one successor, so following successors from any step either
  // stops or runs into a cycle: no general search for strongly connected components needed.
  const next = (at: StepAt): StepAt | undefined => {
    if (!loopsForever(at.step)) return undefined;
    const [edge] = successors(bot, { script: at.script, step: at.index });
    const to = edge ? steps.get(key(edge.to)) : undefined;
    return to && loopsForever(to.step) ? to : undefined;
  };
  const done = new Set<string>();
  const problems: Problem[] = [];
  for (const start of steps.values()) {
    const path: StepAt[] = [];
    const onPath = new Map<string, number>();
    let at: StepAt | undefined = start;
    while (at && !done.has(key(position(at)))) {
      onPath.set(key(position(at)), path.length);
      path.push(at);
      done.add(key(position(at)));
      at = next(at);
      const cycleStart = at ? onPath.get(key(position(at))) : undefined;
      if (cycleStart !== undefined) {
        problems.push(endlessLoop(path.slice(cycleStart), bot, source));
        break;
      }
    }
  }
  return problems;
}

const position = (at: StepAt): Position => ({ script: at.script, step: at.index });

function endlessLoop(cycle: StepAt[], bot: Bot, source: BotSource): Problem {
  const gotos = cycle.filter((at) => at.step.type === 'goto');
  // The goto that jumps back (or to itself) closes the loop; across scripts, the last one.
  const closing =
    gotos.find((at) => {
      const [edge] = successors(bot, position(at));
      return edge !== undefined && edge.to.script === at.script && edge.to.step <= at.index;
    }) ??
    gotos.at(-1) ??
    cycle[0];
  if (!closing) throw new Error('an endless loop has steps');
  // List the loop from where the closing goto jumps to, ending with the goto itself.
  const from = (cycle.indexOf(closing) + 1) % cycle.length;
  const ordered = [...cycle.slice(from), ...cycle.slice(0, from)];
  const acrossScripts = new Set(cycle.map((at) => at.script)).size > 1;
  const names = ordered.map((at) => (at === closing ? 'this goto' : stepLabel(at, source, acrossScripts)));
  const [edge] = successors(bot, position(closing));
  const jumpKey = edge?.key ?? [];
  const loop = ordered.length === 1 ? 'this goto jumps to itself' : `${names.join(' → ')} → back to ${names[0] ?? ''}`;
  return source.error(
    'endless-loop',
    [...closing.path, ...jumpKey],
    `endless loop: ${loop}, and no step in it waits for the user: add a question, or a condition that leaves the loop`,
  );
}
