import type { ConditionOp } from '../bot/schema.js';
import type { JsonValue } from '../json.js';
import type { Component } from './component.js';
import { regex } from '../runtime/patterns.js';

type Operand = string | number | boolean | null | undefined;

export const condition: Component<'condition'> = {
  run(step, _event, draft) {
    for (const branch of step.branches) {
      if (holds(draft.value(branch.when.var), branch.when.op, branch.when.value)) return { kind: 'goto', target: branch.goto };
    }
    return step.else === undefined ? { kind: 'next' } : { kind: 'goto', target: step.else };
  },
};

/** Whether `value op expected` holds. Numbers compare as numbers when both sides read as numbers. */
export function holds(value: JsonValue | undefined, op: ConditionOp, expected: Operand): boolean {
  switch (op) {
    case 'exists':
      return value !== undefined && value !== null;
    case 'empty':
      return isEmpty(value);
    case 'eq':
      return same(value, expected);
    case 'ne':
      return !same(value, expected);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      const a = asNumber(value);
      const b = asNumber(expected);
      if (a === undefined || b === undefined) return false;
      return op === 'lt' ? a < b : op === 'le' ? a <= b : op === 'gt' ? a > b : a >= b;
    }
    case 'contains': {
      if (Array.isArray(value)) return value.some((item) => same(item, expected));
      if (value === undefined || value === null || typeof value === 'object') return false;
      return String(value).toLowerCase().includes(String(expected ?? '').toLowerCase());
    }
    case 'matches':
      return value !== undefined && value !== null && typeof value !== 'object' && regex(String(expected ?? '')).test(String(value));
  }
}

function isEmpty(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return typeof value === 'string' && value.trim() === '';
}

function same(a: JsonValue | undefined, b: Operand | JsonValue): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i.test(v.trim())) return Number(v);
  return undefined;
}
