import { describe, expect, it } from 'vitest';
import { scanTemplate } from '../../src/bot/template-scan.js';
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

describe('one grammar for the loader and the renderer', () => {
  /** Every string in a JSON value. */
  const strings = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : value !== null && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];

  it('finds the same placeholders in every template of the example bots', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../scripts/', import.meta.url);
    const bots = readdirSync(dir).filter((name) => name.endsWith('.json') && name !== 'bot.schema.json');
    expect(bots.length).toBeGreaterThan(2);
    let templates = 0;
    for (const name of bots) {
      for (const template of strings(JSON.parse(readFileSync(new URL(name, dir), 'utf8')))) {
        templates += 1;
        const scanned = [...new Set(scanTemplate(template).placeholders.map((p) => p.name))];
        expect([name, template, scanned]).toEqual([name, template, placeholders(template)]);
      }
    }
    expect(templates).toBeGreaterThan(50);
  });

  it.each(['{a {b}', '{ name }', '{}', '{{x}}', '}}{y}}', 'a}b{c', '<authtoken.x>{z}', '{a.b-c_d}'])('agrees on %s', (template) => {
    const valid = scanTemplate(template).placeholders.filter((p) => /^[A-Za-z0-9_.-]+$/.test(p.name));
    expect([...new Set(valid.map((p) => p.name))]).toEqual(placeholders(template));
  });
});
