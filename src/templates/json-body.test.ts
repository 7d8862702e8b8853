import { describe, expect, it, vi } from 'vitest';
import type { JsonValue } from '../json.js';
import { renderJsonBody } from './json-body.js';
import type { Lookup } from './template.js';

const vars = (values: Record<string, JsonValue>): Lookup => (name) => values[name];

describe('renderJsonBody', () => {
  it('keeps the JSON type of a value that fills a whole string', () => {
    const lookup = vars({ count: 3, ok: false, list: [1, 2], obj: { a: 'b' }, none: null });
    const body = { count: '{count}', ok: '{ok}', list: '{list}', obj: '{obj}', none: '{none}' };
    expect(renderJsonBody(body, lookup)).toEqual({ count: 3, ok: false, list: [1, 2], obj: { a: 'b' }, none: null });
  });

  it('renders a placeholder inside a longer string as text', () => {
    expect(renderJsonBody({ note: 'count: {count}' }, vars({ count: 3 }))).toEqual({ note: 'count: 3' });
  });

  it('stays valid JSON when a value holds quotes and braces', () => {
    const nasty = '"}, "admin": true, "x": {"';
    const result = renderJsonBody({ name: '{name}', greeting: 'Hi {name}' }, vars({ name: nasty }));
    const reparsed: unknown = JSON.parse(JSON.stringify(result));
    expect(reparsed).toEqual({ name: nasty, greeting: `Hi ${nasty}` });
    expect(Object.keys(reparsed as object)).toEqual(['name', 'greeting']);
  });

  it('renders object keys and walks arrays and nested objects', () => {
    const body = { '{field}': ['{a}', { deep: 'x{a}x' }], fixed: 1 };
    expect(renderJsonBody(body, vars({ field: 'user', a: 'A' }))).toEqual({ user: ['A', { deep: 'xAx' }], fixed: 1 });
  });

  it('gives null for an unknown whole-string placeholder and an empty string inside text', () => {
    const onMissing = vi.fn();
    expect(renderJsonBody({ a: '{gone}', b: 'x{gone}' }, vars({}), onMissing)).toEqual({ a: null, b: 'x' });
    expect(onMissing).toHaveBeenCalledTimes(1);
    expect(onMissing).toHaveBeenCalledWith('gone');
  });

  it('does not expand templates inside inserted values', () => {
    const lookup = vars({ obj: { k: '{secret.KEY}' }, 'secret.KEY': 'hunter2' });
    expect(renderJsonBody({ v: '{obj}' }, lookup)).toEqual({ v: { k: '{secret.KEY}' } });
  });

  it('keeps a key rendered as __proto__ as an ordinary key', () => {
    const result = renderJsonBody({ '{k}': { polluted: true } }, vars({ k: '__proto__' })) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('leaves numbers, booleans, null and literal braces alone', () => {
    expect(renderJsonBody([1, true, null, '{{x}}'], vars({}))).toEqual([1, true, null, '{x}']);
  });
});
