import { describe, expect, it } from 'vitest';
import { compileTemplate, placeholders } from './template.js';

describe('compileTemplate', () => {
  it('returns the same compiled object for the same text, so the hot path never re-parses', () => {
    const first = compileTemplate('Hello {username}, you owe {amount}');
    expect(compileTemplate('Hello {username}, you owe {amount}')).toBe(first);
  });

  it('splits text and placeholders, merging adjacent literal text', () => {
    expect(compileTemplate('a {{b}} {user.phone}!').parts).toEqual(['a {b} ', { name: 'user.phone' }, '!']);
  });

  it('reads {{ and }} as literal braces', () => {
    expect(compileTemplate('{{name}}').parts).toEqual(['{name}']);
    expect(compileTemplate('{{{name}}}').parts).toEqual(['{', { name: 'name' }, '}']);
  });

  it('keeps a brace that opens no placeholder as text', () => {
    expect(compileTemplate('{ not a name } and {}').parts).toEqual(['{ not a name } and {}']);
  });

  it('accepts <authtoken> and <authtoken.ID> as spellings of the token placeholders only', () => {
    expect(compileTemplate('Bearer <authtoken>').parts).toEqual(['Bearer ', { name: 'authtoken' }]);
    expect(compileTemplate('<authtoken.acme-login>').single).toBe('authtoken.acme-login');
    expect(compileTemplate('<username> <b>').parts).toEqual(['<username> <b>']);
  });

  it('marks a template that is exactly one placeholder', () => {
    expect(compileTemplate('{count}').single).toBe('count');
    expect(compileTemplate(' {count}').single).toBeUndefined();
    expect(compileTemplate('{a}{b}').single).toBeUndefined();
    expect(compileTemplate('plain').single).toBeUndefined();
  });
});

describe('placeholders', () => {
  it('lists the names in order of first use, each once', () => {
    expect(placeholders('{a} <authtoken> {secret.CLIENT_ID} {a} {account.ID}')).toEqual([
      'a',
      'authtoken',
      'secret.CLIENT_ID',
      'account.ID',
    ]);
  });

  it('finds no names in escaped braces', () => {
    expect(placeholders('{{a}} {{')).toEqual([]);
  });
});
