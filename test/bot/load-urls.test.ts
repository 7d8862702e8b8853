import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { botText, onlyProblem } from './fixture-bots.js';

const definition = { url: 'https://auth.example.com/login', questions: [{ ask: 'User?', field: 'user' }], ttl: 60, tokenPath: 'token' };

/** A bot that asks for `host` and `id`, then calls `url`. */
const calling = (url: string): string =>
  botText([
    { type: 'question', ask: 'Host?', save: 'host' },
    { type: 'question', ask: 'Id?', save: 'id' },
    { type: 'webService', url },
    { type: 'end' },
  ]);

describe('the URLs a bot calls', () => {
  it('refuses a placeholder in the host of a web service URL, at the url', () => {
    const text = calling('http://{host}/accounts/{id}/balance');
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    const line = text.split('\n').findIndex((l) => l.includes('"url"'));
    expect(problem).toMatchObject({ severity: 'error', code: 'placeholder-in-address', pointer: '/scripts/main/steps/2/url', line: line + 1 });
    expect(problem.column).toBe((text.split('\n')[line] ?? '').indexOf('"http') + 1);
    expect(problem.message).toBe(
      '{host} stands in the scheme, user, host or port of this URL, so a value could choose which server is called: write everything up to the first / after the host as plain text (e.g. "https://api.example.com/accounts/{id}"), and use placeholders only in the path, the query or the fragment',
    );
  });

  it.each([
    ['the scheme', '{host}://api.example.com/x'],
    ['the user', 'https://{id}@api.example.com/x'],
    ['the password', 'https://ada:{id}@api.example.com/x'],
    ['part of the host', 'https://{host}.example.com/x'],
    ['the port', 'https://api.example.com:{id}/x'],
    ['a base URL', '{host}/accounts'],
    ['a host written <authtoken>', 'https://<authtoken>/x'],
  ])('refuses a placeholder in %s', (_label, url) => {
    const text = botText([{ type: 'question', ask: 'Host?', save: 'host' }, { type: 'question', ask: 'Id?', save: 'id' }, { type: 'authToken', token: 'login' }, { type: 'webService', url }], {
      authTokens: { login: definition },
    });
    expect(onlyProblem(loadBotText(text, 'bot.json'))).toMatchObject({ code: 'placeholder-in-address', pointer: '/scripts/main/steps/3/url' });
  });

  it('refuses a placeholder in the host of an auth token definition', () => {
    const text = botText([{ type: 'question', ask: 'Host?', save: 'host' }, { type: 'authToken', token: 'login' }], {
      authTokens: { login: { ...definition, url: 'https://{host}/login' } },
    });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'placeholder-in-address', pointer: '/authTokens/login/url' });
    expect(problem.message).toMatch(/^\{host\} stands in the scheme, user, host or port/);
  });

  it('accepts placeholders in the path, query and fragment, and literal braces anywhere', () => {
    for (const url of ['https://api.example.com/accounts/{id}/balance?h={host}#{id}', 'https://api.example.com?q={id}', 'https://api.example.com/{{x}}/{id}']) {
      expect(loadBotText(calling(url), 'bot.json').problems).toEqual([]);
    }
  });

  it.each([
    ['/login', 'this is not an absolute URL'],
    ['not a url', 'this is not an absolute URL'],
    ['api.example.com/{id}', 'this is not an absolute URL'],
    ['ftp://files.example.com/{id}', 'this URL starts with "ftp:"'],
    ['file:///etc/passwd', 'this URL starts with "file:"'],
    ['javascript:alert(1)', 'this URL starts with "javascript:"'],
  ])('refuses %s as a URL to call', (url, start) => {
    const problem = onlyProblem(loadBotText(calling(url), 'bot.json'));
    expect(problem).toMatchObject({ code: 'bad-url', pointer: '/scripts/main/steps/2/url' });
    expect(problem.message.startsWith(start)).toBe(true);
    expect(problem.message).toMatch(/start(ing|) (it )?with https:\/\//);
  });

  it('refuses an auth token definition URL that is not absolute http(s)', () => {
    const text = botText([{ type: 'authToken', token: 'login' }], { authTokens: { login: { ...definition, url: '/login' } } });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem).toMatchObject({ code: 'bad-url', pointer: '/authTokens/login/url' });
    expect(problem.message).toBe('this is not an absolute URL: write the whole address, starting with https:// (e.g. "https://api.example.com/accounts/{id}")');
  });
});
