// The bot as a graph of steps: which steps can ever run, and which loops can never end.
import { resolveTarget } from '../bot.js';
import type { Bot, Position } from '../bot.js';
import type { BotSource, JsonPath } from '../bot-source.js';
import { allSteps, stepLabel, targetsOf } from '../bot-steps.js';
import type { StepAt } from '../bot-steps.js';
import type { Problem } from '../problems.js';
import type { Step } from '../schema.js';
import { stronglyConnected } from './strongly-connected.js';

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
 * Only a question is sure to wait for the user. Every other step can run on within the same
 * turn: a condition whatever its branches, a web service on success and on error, an auth
 * token when a token is cached or sign-in is paused (and on failure). A cycle of such steps can
 * therefore run without end, calling services each time round: a webService whose onError led
 * back to itself made 61,907 calls from one SMS.
 */
function waitsForUser(step: Step): boolean {
  return step.type === 'question';
}

interface LoopEdge {
  to: number;
  key?: JsonPath;
}

function endlessLoops(bot: Bot, source: BotSource): Problem[] {
  const steps = allSteps(bot).filter((at) => !waitsForUser(at.step));
  const indexOf = new Map(steps.map((at, i) => [key(position(at)), i]));
  const edges: LoopEdge[][] = steps.map((at) =>
    successors(bot, position(at)).flatMap((edge) => {
      const to = indexOf.get(key(edge.to));
      return to === undefined ? [] : [{ to, key: edge.key }];
    }),
  );
  const problems: Problem[] = [];
  for (const component of stronglyConnected(edges.map((out) => out.map((edge) => edge.to)))) {
    const [only] = component;
    const cycles = component.length > 1 || (only !== undefined && (edges[only] ?? []).some((edge) => edge.to === only));
    if (cycles) problems.push(endlessLoop(new Set(component), steps, edges, source));
  }
  return problems;
}

const position = (at: StepAt): Position => ({ script: at.script, step: at.index });

/** One problem per loop: at the jump that closes it, naming the steps of one way round. */
function endlessLoop(members: ReadonlySet<number>, steps: readonly StepAt[], edges: readonly LoopEdge[][], source: BotSource): Problem {
  const closing = closingJump(members, steps, edges);
  const cycle = wayRound(closing.from, closing.edge.to, members, edges);
  const at = (i: number): StepAt => {
    const step = steps[i];
    if (!step) throw new Error('a loop step exists');
    return step;
  };
  const closer = at(closing.from);
  const acrossScripts = new Set(cycle.map((i) => at(i).script)).size > 1;
  const names = cycle.map((i) => (i === closing.from ? `this ${closer.step.type}` : stepLabel(at(i), source, acrossScripts)));
  // A message is read on one screen: a long way round keeps its start and its end.
  const shown = names.length > 8 ? [...names.slice(0, 4), `… ${names.length - 6} more steps …`, ...names.slice(-2)] : names;
  const loop =
    cycle.length > 1
      ? `${shown.join(' → ')} → back to ${names[0] ?? ''}`
      : closer.step.type === 'goto'
        ? 'this goto jumps to itself'
        : `this ${closer.step.type} leads back to itself through ${keyName(closing.edge.key)}`;
  const others = members.size - cycle.length;
  const more = others > 0 ? ` (${others} more ${others === 1 ? 'step goes' : 'steps go'} round with them)` : '';
  const causes = [...new Set(cycle.map((from, i) => cause(at(from).step, i === cycle.length - 1 ? closing.edge : edgeBetween(edges, from, cycle[i + 1]))))].filter(
    (c) => c !== undefined,
  );
  const asLongAs = causes.length > 0 ? `, so it goes round without end as long as ${causes.join(' and ')}` : '';
  return source.error(
    'endless-loop',
    [...closer.path, ...(closing.edge.key ?? [])],
    `endless loop: ${loop}${more}, and no step in it waits for the user${asLongAs}: add a question, or a way out of the loop`,
  );
}

/**
 * The jump that closes a loop: the last one in the file that jumps back within its script, as
 * an author reads a loop; across scripts, the last jump of all. Falling through never closes a
 * loop (it only goes forward), so a loop always has such a jump.
 */
function closingJump(members: ReadonlySet<number>, steps: readonly StepAt[], edges: readonly LoopEdge[][]): { from: number; edge: LoopEdge } {
  let back: { from: number; edge: LoopEdge } | undefined;
  let last: { from: number; edge: LoopEdge } | undefined;
  for (const from of [...members].sort((a, b) => a - b)) {
    for (const edge of edges[from] ?? []) {
      if (edge.key === undefined || !members.has(edge.to)) continue;
      const a = steps[from];
      const b = steps[edge.to];
      if (!last || last.from !== from) last = { from, edge };
      if (a && b && a.script === b.script && b.index <= a.index && (!back || back.from !== from)) back = { from, edge };
    }
  }
  const closing = back ?? last;
  if (!closing) throw new Error('a loop has a jump');
  return closing;
}

/** The shortest way from `start` back to `end` within the loop, as steps in the order they run. */
function wayRound(end: number, start: number, members: ReadonlySet<number>, edges: readonly LoopEdge[][]): number[] {
  const cameFrom = new Map<number, number>([[start, start]]);
  const queue = [start];
  for (let i = 0; i < queue.length && !cameFrom.has(end); i += 1) {
    const node = queue[i] ?? start;
    for (const { to } of edges[node] ?? []) {
      if (!members.has(to) || cameFrom.has(to)) continue;
      cameFrom.set(to, node);
      queue.push(to);
    }
  }
  const path = [end];
  for (let node = end; node !== start; ) {
    node = cameFrom.get(node) ?? start;
    path.push(node);
  }
  return path.reverse();
}

function edgeBetween(edges: readonly LoopEdge[][], from: number, to: number | undefined): LoopEdge | undefined {
  return (edges[from] ?? []).find((edge) => edge.to === to);
}

/** What keeps a step sending the conversation round again, where that is not a plain jump. */
function cause(step: Step, edge: LoopEdge | undefined): string | undefined {
  const jumps = edge?.key !== undefined;
  switch (step.type) {
    case 'webService':
      return jumps ? 'the web service keeps failing' : 'the web service keeps answering';
    case 'authToken':
      return jumps ? 'sign-in keeps failing or is paused' : 'a token is cached';
    case 'condition':
      return 'the condition keeps choosing this way';
    case 'question':
    case 'message':
    case 'set':
    case 'goto':
    case 'forgetToken':
    case 'end':
      return undefined;
  }
}

function keyName(path: JsonPath | undefined): string {
  return (path ?? []).map(String).join('/') || 'its next step';
}
