import { describe, expect, it, vi } from 'vitest';
import type { JsonValue } from '../json.js';
import { placeholderInAddress, renderHeader, renderText, renderUrl } from './render.js';
import { TemplateError } from './template-error.js';
import type { Lookup } from './template.js';

const vars = (values: Record<string, JsonValue>): Lookup => (name) => values[name];

describe('renderText', () => {
  it('inserts values as text, objects and arrays as JSON', () => {
    const lookup = vars({ name: 'Ann', n: 3, ok: true, list: [1, 'a'], obj: { k: 'v' }, none: null });
    expect(renderText('{name} {n} {ok} {list} {obj} [{none}]', lookup)).toBe('Ann 3 true [1,"a"] {"k":"v"} []');
  });

  it('gives an empty string for an unknown name and reports it once', () => {
    const onMissing = vi.fn();
    expect(renderText('Hi {who}{who}, {name}', vars({ name: 'Ann' }), onMissing)).toBe('Hi , Ann');
    expect(onMissing).toHaveBeenCalledTimes(1);
    expect(onMissing).toHaveBeenCalledWith('who');
  });

  it('does not report a name whose value is null', () => {
    const onMissing = vi.fn();
    renderText('{none}', vars({ none: null }), onMissing);
    expect(onMissing).not.toHaveBeenCalled();
  });

  it('writes {{ and }} as literal braces', () => {
    expect(renderText('{{name}} is {name}', vars({ name: 'Ann' }))).toBe('{name} is Ann');
  });

  it('fills <authtoken> like {authtoken}', () => {
    const lookup = vars({ authtoken: 'tok', 'authtoken.acme': 'tok2' });
    expect(renderText('Bearer <authtoken> / <authtoken.acme>', lookup)).toBe('Bearer tok / tok2');
  });

  it('never expands a placeholder that arrives inside a value', () => {
    const lookup = vars({ answer: '{secret.KEY}', 'secret.KEY': 'hunter2' });
    expect(renderText('You said {answer}', lookup)).toBe('You said {secret.KEY}');
  });
});

describe('renderUrl', () => {
  it('percent-encodes every inserted value', () => {
    expect(renderUrl('https://api.example.com/users/{id}?q={q}', vars({ id: 'a b&c?d#e', q: 'x=1#y/z' }))).toBe(
      'https://api.example.com/users/a%20b%26c%3Fd%23e?q=x%3D1%23y%2Fz',
    );
  });

  it('leaves the literal parts as written', () => {
    expect(renderUrl('https://api.example.com/a/b?x=1&y={y}', vars({ y: 2 }))).toBe('https://api.example.com/a/b?x=1&y=2');
  });

  it('cannot take its host from a value', () => {
    const attempt = () => renderUrl('https://{host}/x', vars({ host: 'evil.example@127.0.0.1' }));
    expect(attempt).toThrow(TemplateError);
  });

  it('refuses a base URL from a variable, since it is encoded like any value', () => {
    const attempt = () => renderUrl('{base}/path', vars({ base: 'https://api.example.com' }));
    expect(attempt).toThrow(expect.objectContaining({ code: 'template-url' }));
  });

  it('refuses a scheme other than http and https without telling the values', () => {
    try {
      renderUrl('file:///etc/{name}', vars({ name: 'passwd-SECRET' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).code).toBe('template-url');
      expect((error as TemplateError).message).not.toContain('SECRET');
    }
  });

  it.each([
    ['the host', 'http://{host}/balance', { host: 'localhost' }],
    ['the host, after a literal start', 'https://api.{host}/balance', { host: 'example.com' }],
    ['the port', 'https://api.example.com:{port}/x', { port: '8080' }],
    ['the user', 'https://{user}@api.example.com/x', { user: 'ada' }],
    ['the scheme', '{scheme}://api.example.com/x', { scheme: 'https' }],
    ['a host after leading spaces', '  https://{host}/x', { host: 'localhost' }],
  ])('never fills a placeholder in %s, whatever its value', (_label, template, values) => {
    expect(() => renderUrl(template, vars(values))).toThrow(expect.objectContaining({ code: 'template-url', message: expect.stringMatching(/in its scheme, user, host or port/) }));
  });

  it.each([
    ['..', '..'],
    ['.', '.'],
    ['%2e%2e', '%2e%2e'],
    ['%2E%2e', '%2E%2e'],
    ['%252e%252e', '%252e%252e'],
    ['a slash', 'x/y'],
    ['a backslash', 'x\\y'],
    ['an encoded slash', 'x%2Fy'],
    ['.. with a ;param (Tomcat, Spring)', '..;x'],
    ['.. with a trailing space', '.. '],
    ['.. with a NUL', '..\u0000'],
    ['.. with an encoded NUL', '..%00'],
  ])('refuses %s as a path segment, naming the placeholder and not the value', (_label, id) => {
    try {
      renderUrl('https://api.example.com/accounts/{id}/balance', vars({ id }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).code).toBe('template-url');
      expect((error as TemplateError).message).toContain('{id}');
      expect((error as TemplateError).message).not.toContain(`/${id}/`);
    }
  });

  it('refuses a value that makes ".." with the text around it', () => {
    expect(() => renderUrl('https://api.example.com/a/.{x}/b', vars({ x: '.' }))).toThrow(TemplateError);
    expect(() => renderUrl('https://api.example.com/api/{v};x/y', vars({ v: '..' }))).toThrow(TemplateError);
    expect(() => renderUrl('https://api.example.com/a/{x}{y}', vars({ x: '.', y: '.' }))).toThrow(TemplateError);
  });

  it('accepts dots that are not a whole segment, and anything in the query and fragment', () => {
    expect(renderUrl('https://api.example.com/files/{name}', vars({ name: '..rc' }))).toBe('https://api.example.com/files/..rc');
    expect(renderUrl('https://api.example.com/files/{name}.json', vars({ name: '.' }))).toBe('https://api.example.com/files/..json');
    expect(renderUrl('https://api.example.com/x?up={v}#{f}', vars({ v: '..', f: '../a' }))).toBe('https://api.example.com/x?up=..#..%2Fa');
    expect(renderUrl('https://api.example.com?q={v}', vars({ v: '..' }))).toBe('https://api.example.com?q=..');
  });

  it('reports an unknown name and leaves its place empty', () => {
    const onMissing = vi.fn();
    expect(renderUrl('https://a.example/{x}', vars({}), onMissing)).toBe('https://a.example/');
    expect(onMissing).toHaveBeenCalledWith('x');
  });
});

describe('placeholderInAddress', () => {
  it('names the first placeholder before the end of the address', () => {
    expect(placeholderInAddress('http://{host}/x/{id}')).toBe('host');
    expect(placeholderInAddress('<authtoken>.example.com/x')).toBe('authtoken');
    expect(placeholderInAddress('{base}/path')).toBe('base');
  });

  it('finds none when the address is literal text', () => {
    expect(placeholderInAddress('https://api.example.com/accounts/{id}?q={q}#{f}')).toBeUndefined();
    expect(placeholderInAddress('https://api.example.com?q={q}')).toBeUndefined();
    expect(placeholderInAddress('https://{{literal}}.example.com/{id}')).toBeUndefined();
    expect(placeholderInAddress('https://api.example.com')).toBeUndefined();
  });
});

describe('renderHeader', () => {
  it('fills a header value', () => {
    expect(renderHeader('Bearer {authtoken}', vars({ authtoken: 'abc.def' }))).toBe('Bearer abc.def');
  });

  it.each([
    ['CR LF', 's3cr3t\r\nX-Injected: 1'],
    ['LF', 's3cr3t\nX: 1'],
    ['CR', 's3cr3t\r'],
    ['NUL', 's3cr3t\u0000'],
    ['DEL', 's3cr3t\u007f'],
    ['a character beyond Latin-1', 's3cr3t\u2028'],
  ])('refuses a value holding %s, naming the placeholder but not the value', (_label, value) => {
    try {
      renderHeader('Bearer {authtoken}', vars({ authtoken: value }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as TemplateError).code).toBe('template-header');
      expect((error as TemplateError).message).toContain('{authtoken}');
      expect((error as TemplateError).message).not.toContain('s3cr3t');
    }
  });

  it('accepts a tab', () => {
    expect(renderHeader('a{v}', vars({ v: '\tb' }))).toBe('a\tb');
  });
});
