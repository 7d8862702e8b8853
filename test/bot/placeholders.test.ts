import { describe, expect, it } from 'vitest';
import { scanTemplate } from '../../src/bot/placeholders.js';
import { placeholders } from '../../src/templates/template.js';

const names = (template: string) => scanTemplate(template).placeholders.map((p) => p.name);

describe('scanTemplate', () => {
  it('finds every placeholder, in order', () => {
    expect(names('Hi {name}, your {account.acme} balance is {balance}. Bye {name}')).toEqual(['name', 'account.acme', 'balance', 'name']);
  });

  it('takes doubled braces as literal braces', () => {
    expect(names('{{not}} a {real} one }}')).toEqual(['real']);
  });

  it('reads <authtoken> and <authtoken.ID> as {authtoken} and {authtoken.ID}, as the renderer does', () => {
    const template = 'Bearer <authtoken> or <authtoken.acme-login>, not <account>';
    expect(names(template)).toEqual(['authtoken', 'authtoken.acme-login']);
    expect(placeholders(template)).toEqual(['authtoken', 'authtoken.acme-login']);
  });

  it('finds nothing in plain text', () => {
    expect(names('Hello there')).toEqual([]);
  });
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
