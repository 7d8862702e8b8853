import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { botText, loadFixture, onlyProblem } from './fixture-bots.js';

const login = {
  login: { url: 'https://auth.example.com', questions: [{ ask: 'User?', field: 'user' }], ttl: 60, tokenPath: 'token' },
};

describe('placeholders in templates', () => {
  it('reports a placeholder that names nothing, at the placeholder, naming the closest variable', async () => {
    const problem = onlyProblem(await loadFixture('unknown-placeholder.json'));
    expect(problem).toMatchObject({ code: 'unknown-placeholder', line: 10, column: 46, pointer: '/scripts/main/steps/1/text' });
    expect(problem.message).toBe('{nmae} names nothing this bot knows: use {name}, or save "nmae" with a question, a set step or a service call');
  });

  it('knows {link} in a link mode’s linkText, and there only', () => {
    const web = { mode: 'web', beginUrl: 'https://auth.example.com/begin', endUrl: 'https://auth.example.com/end', ttl: 60 };
    const good = loadBotText(botText([{ type: 'authToken', token: 'bank' }, { type: 'end', text: 'Done.' }], { authTokens: { bank: { ...web, linkText: 'Sign in, {user.id}: {link}' } } }), 'bot.json');
    expect(good.problems).toEqual([]);
    const { problems } = loadBotText(
      botText([{ type: 'authToken', token: 'bank' }, { type: 'end', text: 'See {link}' }], { authTokens: { bank: { ...web, linkText: 'Sign in: {link} {lnik}' } } }),
      'bot.json',
    );
    expect(problems.map((p) => [p.code, p.pointer, p.message.split(':')[0]])).toEqual([
      ['unknown-placeholder', '/scripts/main/steps/1/text', '{link} names nothing this bot knows'],
      ['unknown-placeholder', '/authTokens/bank/linkText', '{lnik} names nothing this bot knows'],
    ]);
  });

  it('refuses a token in a message the user sees', async () => {
    const problem = onlyProblem(await loadFixture('authtoken-in-text.json'));
    expect(problem).toMatchObject({ code: 'secret-in-text', line: 18, column: 53, pointer: '/scripts/main/steps/1/text' });
    expect(problem.message).toMatch(/^\{authtoken\} here would show a token to the user: remove it/);
  });

  it('refuses secrets and tokens in every kind of text the user sees, whatever the spelling', () => {
    const text = botText(
      [
        { type: 'question', ask: 'Code {secret.API_KEY}?', save: 'code', invalid: 'Not <authtoken>' },
        { type: 'set', vars: { copy: '{authtoken.login}' } },
        { type: 'end', text: 'Bye {secret.X}' },
      ],
      { authTokens: login },
    );
    const { problems } = loadBotText(text, 'bot.json');
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['secret-in-text', '/scripts/main/steps/0/ask'],
      ['secret-in-text', '/scripts/main/steps/0/invalid'],
      ['secret-in-text', '/scripts/main/steps/1/vars/copy'],
      ['secret-in-text', '/scripts/main/steps/2/text'],
    ]);
  });

  it('checks <authtoken.ID> like {authtoken.ID}: a token in text, and a definition that does not exist', () => {
    const text = botText(
      [
        { type: 'message', text: 'Yours: <authtoken.login>' },
        { type: 'webService', url: 'https://api.example.com', headers: { Authorization: 'Bearer <authtoken.nope>' } },
      ],
      { authTokens: login },
    );
    const { bot, problems } = loadBotText(text, 'bot.json');
    expect(bot).toBeUndefined();
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['secret-in-text', '/scripts/main/steps/0/text'],
      ['unknown-placeholder', '/scripts/main/steps/1/headers/Authorization'],
    ]);
  });

  it('accepts tokens, secrets, accounts and user fields where requests are built', () => {
    const text = botText(
      [
        { type: 'authToken', token: 'login', save: { customer: 'id' } },
        {
          type: 'webService',
          url: 'https://api.example.com/{account}/{account.login}?u={user.id}',
          headers: { Authorization: 'Bearer <authtoken>', 'X-Key': '{secret.API_KEY}' },
          body: { who: '{customer}', nested: [{ token: '{authtoken.login}', channel: '{user.channel}' }], phone: '{user.phone}', literal: '{{x}}' },
        },
        { type: 'message', text: 'Done for {account}, {customer}.' },
      ],
      { authTokens: login },
    );
    const result = loadBotText(text, 'bot.json');
    expect(result.problems).toEqual([]);
    expect(result.bot).toBeDefined();
  });

  it('finds unknown placeholders deep inside a request body and in auth definitions', () => {
    const text = botText([{ type: 'webService', url: 'https://api.example.com', body: { a: [{ b: 'x {nope}' }] } }], {
      authTokens: { login: { ...login.login, url: 'https://auth.example.com/{tenant}', invalidMessage: 'Sorry {user.name}' } },
    });
    const { problems } = loadBotText(text, 'bot.json');
    // In file order: botText writes the scripts before the extra keys.
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['unknown-placeholder', '/scripts/main/steps/0/body/a/0/b'],
      ['unknown-placeholder', '/authTokens/login/url'],
      ['unknown-placeholder', '/authTokens/login/invalidMessage'],
    ]);
    expect(problems[2]?.message).toBe('{user.name} is not something the bot knows about the user: use {user.id}, {user.channel} or {user.phone}');
  });

  it('names the defined tokens when {authtoken.ID} names another', () => {
    const text = botText([{ type: 'webService', url: 'https://api.example.com/{authtoken.logn}' }], { authTokens: login });
    const problem = onlyProblem(loadBotText(text, 'bot.json'));
    expect(problem.message).toBe('{authtoken.logn} names token definition "logn", which "authTokens" does not have: use one of {authtoken.login}');
  });

  it('says how secret names are written', () => {
    const problem = onlyProblem(loadBotText(botText([{ type: 'webService', url: 'https://x.example.com/{secret.api-key}' }]), 'bot.json'));
    expect(problem.message).toMatch(/secret names are upper-case letters, digits and _, as in \{secret\.API_KEY\}/);
  });

  it('points inside a string with escapes at the right column', () => {
    const problem = onlyProblem(loadBotText('{"format":1,"id":"t","name":"T","start":"m","scripts":{"m":{"steps":[{"type":"end","text":"\\"\\u0041\\" {who}"}]}}}', 'bot.json'));
    expect(problem).toMatchObject({ code: 'unknown-placeholder', line: 1, column: 103 });
  });

  it('reports a brace that opens no placeholder', () => {
    const problem = onlyProblem(loadBotText(botText([{ type: 'end', text: 'Press { to start' }]), 'bot.json'));
    expect(problem).toMatchObject({ code: 'template-syntax', pointer: '/scripts/main/steps/0/text' });
    expect(problem.message).toMatch(/write "\{\{" for a literal brace/);
  });
});

describe('linkText', () => {
  it('knows {link}, and checks the rest of the text like any other', () => {
    const bot = (linkText: string) =>
      JSON.stringify({
        format: 1,
        id: 'links',
        name: 'Links',
        start: 'main',
        authTokens: { sso: { mode: 'oauth', issuer: 'https://id.example.com', clientId: 'parley', linkText } },
        scripts: { main: { steps: [{ type: 'authToken', token: 'sso' }, { type: 'end', text: 'Hello {account}.' }] } },
      });
    expect(loadBotText(bot('Sign in here: {link}'), 'links.json').problems).toEqual([]);
    const wrong = loadBotText(bot('Sign in, {nmae}: {link}'), 'links.json').problems;
    expect(wrong.map((p) => p.message).join('\n')).toMatch(/\{nmae\} names nothing/);
  });
});
