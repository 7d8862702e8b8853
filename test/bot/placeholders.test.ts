import { describe, expect, it } from 'vitest';
import { placeholderNames, scanTemplate } from '../../src/bot/placeholders.js';

describe('placeholderNames', () => {
  it('finds each name once, in order', () => {
    expect(placeholderNames('Hi {name}, your {account.acme} balance is {balance}. Bye {name}')).toEqual(['name', 'account.acme', 'balance']);
  });

  it('takes doubled braces as literal braces', () => {
    expect(placeholderNames('{{not}} a {real} one }}')).toEqual(['real']);
  });

  it('reads <authtoken> as {authtoken}', () => {
    expect(placeholderNames('Bearer <authtoken>')).toEqual(['authtoken']);
  });

  it('finds nothing in plain text', () => {
    expect(placeholderNames('Hello there')).toEqual([]);
  });
});

describe('scanTemplate', () => {
  it('gives where each placeholder is', () => {
    expect(scanTemplate('a {b} <authtoken>').placeholders).toEqual([
      { name: 'b', start: 2, end: 5 },
      { name: 'authtoken', start: 6, end: 17 },
    ]);
  });

  it('reports a brace that is never closed, and goes on after it', () => {
    expect(scanTemplate('x { y {z}')).toEqual({ placeholders: [{ name: 'z', start: 6, end: 9 }], unclosed: [2] });
  });
});
