import { describe, expect, it } from 'vitest';
import { PathError, pathFault, readPath } from './json-path.js';

const answer = {
  token: 'abc',
  expires_in: 3600,
  data: { auth: { token: 'nested' }, user: { name: 'Ann' } },
  items: [{ id: 7 }, { id: 8 }],
  'a.b': 1,
  a: { b: 2 },
  empty: null,
  zero: 0,
};

describe('readPath', () => {
  it('reads a field name', () => {
    expect(readPath(answer, 'token')).toBe('abc');
    expect(readPath(answer, 'expires_in')).toBe(3600);
  });

  it('reads a dotted path', () => {
    expect(readPath(answer, 'data.auth.token')).toBe('nested');
  });

  it('reads array items by index in a dotted path', () => {
    expect(readPath(answer, 'items.0.id')).toBe(7);
    expect(readPath(answer, 'items.1.id')).toBe(8);
    expect(readPath(answer, 'items.2.id')).toBeUndefined();
    expect(readPath(answer, 'items.01.id')).toBeUndefined();
  });

  it('prefers a key that holds a dot over descending', () => {
    expect(readPath(answer, 'a.b')).toBe(1);
    expect(readPath({ x: { 'y.z': 'deep' } }, 'x.y.z')).toBe('deep');
    expect(readPath({ 'x.y': { z: 'deep' } }, 'x.y.z')).toBe('deep');
  });

  it('gives falsy values as they are', () => {
    expect(readPath(answer, 'empty')).toBeNull();
    expect(readPath(answer, 'zero')).toBe(0);
  });

  it('gives undefined for a missing path', () => {
    expect(readPath(answer, 'nope')).toBeUndefined();
    expect(readPath(answer, 'data.nope.token')).toBeUndefined();
    expect(readPath(answer, 'token.length')).toBeUndefined();
    expect(readPath('plain text', 'token')).toBeUndefined();
    expect(readPath(undefined, 'token')).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(readPath(answer, 'constructor')).toBeUndefined();
    expect(readPath(answer, '__proto__')).toBeUndefined();
    expect(readPath(answer, 'items.length')).toBeUndefined();
    expect(readPath(answer, 'data.toString')).toBeUndefined();
  });

  it('reads a JSONPath', () => {
    expect(readPath(answer, '$.data.auth.token')).toBe('nested');
    expect(readPath(answer, "$['a.b']")).toBe(1);
    expect(readPath(answer, '$.items[1].id')).toBe(8);
  });

  it('gives the first of several JSONPath matches', () => {
    expect(readPath(answer, '$.items[*].id')).toBe(7);
    expect(readPath(answer, '$..token')).toBe('abc');
  });

  it('gives an array that a JSONPath matches as the array', () => {
    expect(readPath(answer, '$.items')).toEqual([{ id: 7 }, { id: 8 }]);
  });

  it('gives undefined when a JSONPath matches nothing', () => {
    expect(readPath(answer, '$.data.nope')).toBeUndefined();
    expect(readPath(null, '$.data')).toBeUndefined();
  });

  it('refuses JSONPath filter and script expressions with a PathError', () => {
    expect(() => readPath(answer, '$..[?(@.id)]')).toThrow(PathError);
    expect(() => readPath(answer, '$.items[(@.length-1)]')).toThrow(PathError);
  });

  it('runs no host code from a filter expression', () => {
    const exit = process.exit;
    let exited = false;
    process.exit = (() => {
      exited = true;
    }) as typeof process.exit;
    try {
      expect(() => readPath(answer, "$[?(@.constructor.constructor('return process')().exit())]")).toThrow(PathError);
      expect(() => readPath(answer, "$..[?(@.constructor.constructor('globalThis.pwned = 1')())]")).toThrow(PathError);
    } finally {
      process.exit = exit;
    }
    expect(exited).toBe(false);
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });

  it('refuses an empty path', () => {
    expect(() => readPath(answer, '')).toThrow(PathError);
  });

  it('refuses a JSONPath that does not parse, rather than reading what jsonpath-plus guesses', () => {
    // jsonpath-plus reads "$.data[" as "$.data".
    expect(() => readPath(answer, '$.data[')).toThrow(/not a valid JSONPath/);
    expect(() => readPath(answer, "$['data")).toThrow(PathError);
  });
});

describe('pathFault', () => {
  it.each([['token'], ['data.auth.token'], ['items.0.id'], ['$'], ['$.data.token'], ['$..token'], ['$.items[*].id'], ['$.items[-1].id'], ["$['a.b']"], ['$["a.b"]'], ['$.items[0:2]'], ['$.items[0,1].id'], ['$.données.clé']])(
    'finds nothing wrong with %s',
    (path) => {
      expect(pathFault(path)).toBeUndefined();
    },
  );

  it.each([['$..[?(@.constructor)]'], ['$..[(@.length-1)]'], ['$.items[?(@.id > 7)].id'], ['$.items[?@.id]']])('calls %s a script or filter expression', (path) => {
    expect(pathFault(path)).toBe('script');
    expect(() => readPath(answer, path)).toThrow(/script and filter expressions/);
  });

  it.each([['$.data['], ['$]'], ['$.a b'], ['$.[0]'], ['$.data^'], ['$.data~'], ['$..'], ['$.'], ['$data']])('calls %s a JSONPath that does not parse', (path) => {
    expect(pathFault(path)).toBe('syntax');
  });

  it('calls an empty path empty', () => {
    expect(pathFault('')).toBe('empty');
  });
});
