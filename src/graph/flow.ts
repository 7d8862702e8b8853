// A bot's flow as a graph: a node per step (and the start, each trigger, and the end of the
// conversation where a way out leads there), an edge per way out (next, goto, each choice
// option, each condition branch and else, onFailure / onError, signed in or not, triggers).
// Mermaid and SVG both draw this one model, so they never disagree.
import { resolveTarget, type Bot, type Position } from '../bot/bot.js';
import type { Step, StepType } from '../bot/schema.js';

export type FlowNodeKind = 'start' | 'trigger' | 'step' | 'end';

export interface FlowNode {
  /** `SCRIPT#INDEX` for a step, as the studio's `data-step` names it. */
  id: string;
  kind: FlowNodeKind;
  /** The script a step or an end belongs to. */
  script?: string;
  type?: StepType;
  /** The first line: the step's type and id. */
  title: string;
  /** What the step says or does, in short. */
  detail?: string;
}

export type FlowEdgeKind = 'next' | 'goto' | 'option' | 'branch' | 'else' | 'failure' | 'signed-in' | 'trigger' | 'start';

export interface FlowEdge {
  from: string;
  to: string;
  kind: FlowEdgeKind;
  label?: string;
}

export interface Flow {
  /** Scripts in file order, each with its nodes (steps, then its end if anything leads there). */
  scripts: Array<{ id: string; nodes: FlowNode[] }>;
  /** The start and the triggers: outside every script. */
  entries: FlowNode[];
  edges: FlowEdge[];
}

export function stepId(at: Position): string {
  return `${at.script}#${at.step}`;
}

const endOf = (script: string) => `${script}#end`;

export function flowOf(bot: Bot): Flow {
  const edges: FlowEdge[] = [];
  const ends = new Set<string>();
  const entries: FlowNode[] = [{ id: 'start', kind: 'start', title: 'start' }];
  edges.push({ from: 'start', to: stepId({ script: bot.start, step: 0 }), kind: 'start' });
  bot.triggers.forEach((trigger, i) => {
    const id = `trigger-${i}`;
    entries.push({ id, kind: 'trigger', title: 'keyword', detail: trigger.keywords.map((k) => `"${k}"`).join(', ') });
    edges.push({ from: id, to: stepId({ script: trigger.script, step: 0 }), kind: 'trigger' });
  });

  for (const [script, { steps }] of Object.entries(bot.scripts)) {
    steps.forEach((step, index) => {
      const from = stepId({ script, step: index });
      const next = index + 1 < steps.length ? stepId({ script, step: index + 1 }) : endOf(script);
      const to = (target: string) => {
        const at = resolveTarget(bot, script, target);
        return at === undefined ? endOf(script) : stepId(at);
      };
      const add = (edge: FlowEdge) => {
        if (edge.to === endOf(script)) ends.add(script);
        edges.push(edge);
      };
      for (const edge of waysOut(step, from, next, to, endOf(script))) add(edge);
    });
  }

  return {
    entries,
    edges,
    scripts: Object.entries(bot.scripts).map(([script, { steps }]) => ({
      id: script,
      nodes: [
        ...steps.map((step, index): FlowNode => ({ id: stepId({ script, step: index }), kind: 'step', script, type: step.type, title: titleOf(step), ...detailOf(step) })),
        ...(ends.has(script) ? [{ id: endOf(script), kind: 'end' as const, script, title: 'the conversation ends' }] : []),
      ],
    })),
  };
}

function waysOut(step: Step, from: string, next: string, to: (target: string) => string, end: string): FlowEdge[] {
  switch (step.type) {
    case 'message':
    case 'set':
    case 'forgetToken':
      return [{ from, to: next, kind: 'next' }];
    case 'question': {
      const ways: FlowEdge[] =
        step.options === undefined
          ? [{ from, to: next, kind: 'next' }]
          : step.options.map((o, i) => ({ from, to: o.goto === undefined ? next : to(o.goto), kind: 'option' as const, label: `${i + 1}. ${o.label}` }));
      if (step.onFailure !== undefined) ways.push({ from, to: to(step.onFailure), kind: 'failure', label: 'onFailure' });
      return ways;
    }
    case 'authToken':
      return [
        { from, to: next, kind: 'signed-in', label: 'signed in' },
        { from, to: step.onFailure === undefined ? end : to(step.onFailure), kind: 'failure', label: 'not signed in' },
      ];
    case 'webService':
      return [
        { from, to: next, kind: 'next', label: 'ok' },
        { from, to: step.onError === undefined ? end : to(step.onError), kind: 'failure', label: 'onError' },
      ];
    case 'condition':
      return [
        ...step.branches.map((b, i) => ({ from, to: to(b.goto), kind: 'branch' as const, label: `${i + 1}. ${b.when.var} ${b.when.op}${b.when.value === undefined ? '' : ` ${JSON.stringify(b.when.value)}`}` })),
        step.else === undefined ? { from, to: next, kind: 'else', label: 'otherwise' } : { from, to: to(step.else), kind: 'else', label: 'else' },
      ];
    case 'goto':
      return [{ from, to: step.script !== undefined ? stepId({ script: step.script, step: 0 }) : to(step.step ?? ''), kind: 'goto', label: 'goto' }];
    case 'end':
      return [];
  }
}

function titleOf(step: Step): string {
  return step.id === undefined ? step.type : `${step.type} · ${step.id}`;
}

function detailOf(step: Step): { detail?: string } {
  const detail = ((): string | undefined => {
    switch (step.type) {
      case 'message':
        return step.text;
      case 'question':
        return `${step.ask} → ${step.save}`;
      case 'authToken':
        return `sign in: ${step.token}`;
      case 'webService':
        return `${step.method} ${shortUrl(step.url)}${step.authToken === undefined ? '' : ` (token ${step.authToken})`}`;
      case 'condition':
        return undefined;
      case 'set':
        return Object.entries(step.vars).map(([name, value]) => `${name} = ${value}`).join('; ');
      case 'goto':
        return step.script !== undefined ? `script ${step.script}` : step.step;
      case 'forgetToken':
        return step.token;
      case 'end':
        return step.text;
    }
  })();
  return detail === undefined || detail === '' ? {} : { detail };
}

/** The host and path: the scheme adds nothing to a diagram. */
function shortUrl(url: string): string {
  return url.replace(/^https?:\/\//, '');
}
