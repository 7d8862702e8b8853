// How a test compares what it expects with what happened: an object matches when it holds at
// least the keys the test names (each matched the same way), everything else exactly. The
// first difference is what an author is shown.

export interface Difference {
  /** Where in the value, as a dotted path ("" for the value itself). */
  at: string;
  expected: unknown;
  /** `undefined` when the value has nothing there. */
  got: unknown;
}

export function firstDifference(expected: unknown, got: unknown, at = ''): Difference | undefined {
  if (isObject(expected)) {
    if (!isObject(got)) return { at, expected, got };
    for (const [key, value] of Object.entries(expected)) {
      const inner = firstDifference(value, Object.hasOwn(got, key) ? got[key] : undefined, at === '' ? key : `${at}.${key}`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length) return { at, expected, got };
    for (const [i, value] of expected.entries()) {
      const inner = firstDifference(value, got[i], `${at}[${i}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  return Object.is(expected, got) || (expected === 0 && got === 0) ? undefined : { at, expected, got };
}

/** A value as a test's failure shows it: JSON, and "nothing" for an absent one. */
export function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
