// `parley test` plays a test file through the engine production runs: what the channel shows
// is compared with the `bot` turns, the first difference is the failure, at its FILE:LINE:COL.
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/runtime/session.js';
import { botOf } from '../support/conversation.js';
import { lineOf, loadedBot, playText } from '../support/test-files.js';

const cafe = loadedBot({
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hello from the café.' },
        { type: 'question', ask: 'Your name?', save: 'name' },
        {
          type: 'question',
          ask: 'What would you like?',
          save: 'drink',
          input: 'choice',
          options: [
            { label: 'Tea', value: 'tea' },
            { label: 'Coffee', value: 'coffee' },
          ],
        },
        { type: 'end', text: 'Bye {name}, enjoy your {drink}.' },
      ],
    },
  },
});

/** A test file with one turn per line, so a turn's line is its index + 4. */
function testFile(turns: object[], extra: object = {}): string {
  const head = Object.entries({ bot: 'cafe.json', ...extra }).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  return ['{', ...head, '  "turns": [', turns.map((t) => `    ${JSON.stringify(t)}`).join(',\n'), '  ]', '}', ''].join('\n');
}

const goodTurns = [
  { user: 'hi' },
  { bot: 'Hello from the café.' },
  { bot: 'Your name?' },
  { user: 'Ada' },
  { bot: 'What would you like?\n1. Tea\n2. Coffee' },
  { user: '2' },
  { bot: 'Bye Ada, enjoy your coffee.' },
  { vars: { name: 'Ada', drink: 'coffee' } },
  { ended: true },
];

describe('playing a conversation test', () => {
  it('passes when every bot message is expected, in order, as the channel shows it', async () => {
    const [result] = await playText(testFile(goodTurns), cafe);
    expect(result).toMatchObject({ ok: true, name: 'inline', file: 'inline.test.json' });
    expect(result!.failure).toBeUndefined();
  });

  it('shows choices as each channel does: buttons on WhatsApp', async () => {
    const turns = goodTurns.map((t) => ('bot' in t && t.bot?.startsWith('What') ? { bot: 'What would you like? [Tea] [Coffee]' } : t));
    const [result] = await playText(testFile(turns, { channel: 'whatsapp' }), cafe);
    expect(result!.ok).toBe(true);
  });

  it('fails at the first bot message that differs, with what was expected and what came, at the turn\'s line', async () => {
    const turns = [...goodTurns];
    turns[6] = { bot: 'Bye Ada, enjoy your tea.' };
    const text = testFile(turns);
    const [result] = await playText(text, cafe);
    expect(result!.ok).toBe(false);
    expect(result!.failure).toMatchObject({
      file: 'inline.test.json',
      ...lineOf(text, '{"bot":"Bye Ada, enjoy your tea."}'),
      message: 'the bot said something else',
      expected: '"Bye Ada, enjoy your tea."',
      got: '"Bye Ada, enjoy your coffee."',
    });
  });

  it('fails at the next user turn when the bot said more than the bot turns expect', async () => {
    const text = testFile([{ user: 'hi' }, { bot: 'Hello from the café.' }, { user: 'Ada' }]);
    const [result] = await playText(text, cafe);
    expect(result!.failure).toMatchObject({ ...lineOf(text, '{"user":"Ada"}'), got: '"Your name?"' });
  });

  it('fails at the end when the bot said more than the last bot turn', async () => {
    const text = testFile([{ user: 'hi' }, { bot: 'Hello from the café.' }]);
    const [result] = await playText(text, cafe);
    expect(result!.failure).toMatchObject({ ...lineOf(text, '{"bot":"Hello from the café."}'), message: expect.stringContaining('said more'), got: '"Your name?"' });
  });

  it('fails at a bot turn that expects a message that never came', async () => {
    const text = testFile([{ user: 'hi' }, { bot: 'Hello from the café.' }, { bot: 'Your name?' }, { bot: 'And your age?' }]);
    const [result] = await playText(text, cafe);
    expect(result!.failure).toMatchObject({ ...lineOf(text, '{"bot":"And your age?"}'), message: 'the bot said nothing more', got: 'nothing' });
  });

  it('matches a message by regular expression or by what it contains', async () => {
    const text = testFile([{ user: 'hi' }, { bot: { matches: '^Hello .* café\\.$' } }, { bot: { contains: 'name' } }]);
    expect((await playText(text, cafe))[0]!.ok).toBe(true);
    const wrong = testFile([{ user: 'hi' }, { bot: { contains: 'Bonjour' } }]);
    expect((await playText(wrong, cafe))[0]!.failure).toMatchObject({ expected: 'a message containing "Bonjour"', got: '"Hello from the café."' });
  });

  it('compares the variables a test names, and names the one that differs', async () => {
    const turns = [...goodTurns];
    turns[7] = { vars: { name: 'Ada', drink: 'tea' } };
    const text = testFile(turns);
    const [result] = await playText(text, cafe);
    // At the value that differs, not the turn.
    const { line, column } = lineOf(text, '"drink":"tea"');
    expect(result!.failure).toMatchObject({ line, column: column + '"drink":'.length, message: 'the variable drink is not as expected', expected: '"tea"', got: '"coffee"' });
  });

  it('checks whether the conversation ended', async () => {
    const text = testFile([{ user: 'hi' }, { bot: 'Hello from the café.' }, { bot: 'Your name?' }, { ended: true }]);
    const [result] = await playText(text, cafe);
    expect(result!.failure).toMatchObject({ ...lineOf(text, '{"ended":true}'), message: 'the conversation goes on' });
  });

  it('runs the conversation at the time the file sets, and at a fixed time when it sets none', async () => {
    const seen: number[] = [];
    const observe = (_at: unknown, _step: unknown, _event: unknown, _next: unknown, session: Session) => void seen.push(session.since!);
    await playText(testFile(goodTurns, { now: '2027-03-04T05:06:07Z' }), cafe, observe);
    expect(new Set(seen)).toEqual(new Set([Date.parse('2027-03-04T05:06:07Z')]));
    seen.length = 0;
    await playText(testFile(goodTurns), cafe, observe);
    const first = seen[0];
    seen.length = 0;
    await playText(testFile(goodTurns), cafe, observe);
    expect(seen[0]).toBe(first);
  });

  it('runs each test of a file on a store of its own', async () => {
    const suite = JSON.stringify({ bot: 'cafe.json', tests: [{ turns: goodTurns }, { turns: goodTurns }] }, null, 1);
    const results = await playText(suite, cafe);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['inline #1', true],
      ['inline #2', true],
    ]);
  });
});

describe('secrets and tokens in a test', () => {
  const previous = process.env.BOT_SECRET_KEY;
  afterEach(() => {
    if (previous === undefined) delete process.env.BOT_SECRET_KEY;
    else process.env.BOT_SECRET_KEY = previous;
  });

  const bank = loadedBot({
    authTokens: {
      acme: {
        url: 'https://auth.example.com/login',
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 600,
        tokenPath: 'token',
      },
    },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'acme' },
          { type: 'webService', url: 'https://api.example.com/balance', headers: { Authorization: 'Bearer {authtoken}', 'X-Key': '{secret.KEY}' }, save: { balance: 'balance' } },
          { type: 'end', text: 'Balance {balance}.' },
        ],
      },
    },
  });
  const balance = { method: 'GET', url: 'https://api.example.com/balance', when: { headers: { Authorization: 'Bearer t-1', 'X-Key': 'from-the-file' } }, reply: { json: { balance: 7 } } };

  it('reads {secret.*} from the file, never from the environment', async () => {
    process.env.BOT_SECRET_KEY = 'from-the-environment';
    const text = testFile([{ user: 'hi' }, { bot: 'Balance 7.' }], { tokens: { acme: { token: 't-1' } }, secrets: { KEY: 'from-the-file' }, services: [balance] });
    expect((await playText(text, bank))[0]!.ok).toBe(true);
    const without = testFile([{ user: 'hi' }, { bot: 'Balance 7.' }], { tokens: { acme: { token: 't-1' } }, services: [balance] });
    expect((await playText(without, bank))[0]!.failure?.message).toMatch(/^no stand-in answers GET https:\/\/api\.example\.com\/balance/);
  });

  it('starts signed in with "tokens": the token store holds them, and no question is asked', async () => {
    const text = testFile([{ user: 'hi' }, { bot: 'Balance 7.' }, { ended: true }], { tokens: { acme: { token: 't-1', account: 'Ada' } }, secrets: { KEY: 'from-the-file' }, services: [balance] });
    expect((await playText(text, bank))[0]!.ok).toBe(true);
  });

  it('signs in through the stand-in of the auth service when the test starts signed out', async () => {
    const login = { method: 'POST', url: 'https://auth.example.com/login', when: { json: { username: 'ada', password: 'pw' } }, reply: { json: { token: 't-1' } } };
    const text = testFile(
      [{ user: 'hi' }, { bot: 'Username?' }, { user: 'ada' }, { bot: 'Password?' }, { user: 'pw' }, { bot: 'Balance 7.' }],
      { secrets: { KEY: 'from-the-file' }, services: [login, balance] },
    );
    expect((await playText(text, bank))[0]!.ok).toBe(true);
  });

  it('takes a sign-in by link only while the conversation waits for one', async () => {
    const text = testFile([{ user: 'hi' }, { bot: 'Username?' }, { signIn: { token: 't-1', account: 'Ada' } }]);
    const [result] = await playText(text, bank);
    expect(result!.failure).toMatchObject({ line: lineOf(text, '"signIn"').line, message: 'the conversation is not waiting for a sign-in by link', got: 'a wait of kind "auth"' });
  });
});

describe('a sign-in by link in a test', () => {
  const portal = botOf({
    format: 1,
    id: 'portal',
    name: 'Portal',
    start: 'main',
    authTokens: {
      portal: { mode: 'web', beginUrl: 'https://portal.example.com/begin', endUrl: 'https://portal.example.com/end', ttl: 600, verifyCode: false, linkText: 'Sign in: {link}' },
    },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'portal', onFailure: 'nope' },
          { type: 'webService', url: 'https://api.example.com/me', headers: { Authorization: 'Bearer {authtoken}' }, save: { name: 'name' } },
          { type: 'end', text: 'Hi {name} ({account}).' },
          { id: 'nope', type: 'end', text: 'No.' },
        ],
      },
    },
  });
  const services = [
    { method: 'POST', url: 'https://portal.example.com/begin', reply: { json: { auth_url: 'https://portal.example.com/login?t=1', temp_data_to_save: 'tmp' } } },
    { method: 'GET', url: 'https://api.example.com/me', when: { headers: { Authorization: 'Bearer t-9' } }, reply: { json: { name: 'Ada' } } },
  ];
  const waiting = [{ user: 'hi' }, { bot: 'Sign in: https://portal.example.com/login?t=1' }, { bot: 'Once you have signed in there, we will carry on here.' }];

  it('caches the token for the definition the conversation waits on, and the conversation goes on by itself', async () => {
    const steps: string[] = [];
    const text = testFile([...waiting, { signIn: { token: 't-9', account: 'ada@example.com' } }, { bot: 'Hi Ada (ada@example.com).' }, { ended: true }], { services });
    const [result] = await playText(text, portal, (at) => void steps.push(`${at.script}#${at.step}`));
    expect(result!.failure).toBeUndefined();
    // The steps of the resumed turn are seen too (coverage counts them).
    expect(steps).toEqual(expect.arrayContaining(['main#1', 'main#2']));
  });

  it('fails when the bot said something no bot turn expected before the sign-in', async () => {
    const text = testFile([...waiting.slice(0, 2), { signIn: { token: 't-9' } }], { services });
    const [result] = await playText(text, portal);
    expect(result!.failure).toMatchObject({ line: lineOf(text, '"signIn"').line, got: '"Once you have signed in there, we will carry on here."' });
  });

  it('plays a refused sign-in: the link is spent, "again" sends a new one, which then works', async () => {
    const text = testFile(
      [
        ...waiting,
        { signIn: 'refused' },
        { user: 'again' },
        { bot: 'Sign in: https://portal.example.com/login?t=1' },
        { bot: 'Once you have signed in there, we will carry on here.' },
        { signIn: { token: 't-9', account: 'ada@example.com' } },
        { bot: 'Hi Ada (ada@example.com).' },
      ],
      { services },
    );
    const [result] = await playText(text, portal);
    expect(result!.failure).toBeUndefined();
  });

  it('fails a refused sign-in when no link is waiting', async () => {
    const text = testFile([{ user: 'hi' }, { bot: { contains: 'Sign in' } }, { bot: { contains: 'carry on' } }, { signIn: 'refused' }, { signIn: 'refused' }], { services });
    const [result] = await playText(text, portal);
    expect(result!.failure).toMatchObject({ message: 'no sign-in link of this conversation is waiting' });
  });
});

describe('a test on the phone', () => {
  const phone = loadedBot({
    scripts: {
      main: {
        steps: [
          { type: 'message', text: 'Welcome.', say: 'Welcome to the line.' },
          { type: 'question', ask: 'Your code?', save: 'code', input: 'digits', keypad: true },
          { type: 'end', text: 'Code {code} noted.' },
        ],
      },
    },
  });

  it('starts when the call connects, takes keys, and a new call after a hang-up', async () => {
    const text = testFile(
      [
        { bot: 'Welcome to the line.' },
        { bot: 'Your code? Then press the pound key.' },
        { keys: '1234#' },
        { bot: 'Code 1234 noted.' },
        { ended: true },
        { user: '42' },
        { bot: 'Welcome to the line.' },
        { bot: 'Your code? Then press the pound key.' },
        { bot: 'Code 42 noted.' },
        { ended: true },
      ],
      { channel: 'phone' },
    );
    const [result] = await playText(text, phone);
    expect(result!.failure).toBeUndefined();
  });
});
