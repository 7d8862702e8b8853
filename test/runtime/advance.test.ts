// The interpreter on its own: no store, no network, no clock. Each test feeds events to
// `advance` and reads what it returns.
import { describe, expect, it } from 'vitest';
import { advance, type Advance, type TurnContext, type TurnEvent } from '../../src/runtime/advance.js';
import type { EffectResult } from '../../src/runtime/effect.js';
import type { Session } from '../../src/runtime/session.js';
import type { ChannelId } from '../../src/runtime/turn.js';
import { botOf } from '../support/conversation.js';

const say = (text: string): TurnEvent => ({ kind: 'message', input: { text } });
const result = (r: EffectResult): TurnEvent => ({ kind: 'result', result: r });

function contextOf(file: unknown, channel: ChannelId = 'sms', now = 1_000_000): TurnContext {
  return { bot: botOf(file), user: { id: 'u1', channel, via: 'twilio' }, now };
}

/** Runs events one after another, threading the session through, and returns every Advance. */
function run(ctx: TurnContext, events: TurnEvent[], session?: Session): Advance[] {
  const out: Advance[] = [];
  let current = session;
  for (const event of events) {
    const step = advance(ctx, current, event);
    out.push(step);
    current = step.session;
  }
  return out;
}

const texts = (a: Advance) => a.replies.map((r) => r.text);

const greeter = {
  format: 1,
  id: 'greeter',
  name: 'Greeter',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hello!' },
        { type: 'question', ask: 'How old are you?', save: 'age', input: 'number', invalid: 'A number, please.', maxAttempts: 2, onFailure: 'gave-up' },
        { type: 'condition', branches: [{ when: { var: 'age', op: 'ge', value: 18 }, goto: 'adult' }], else: 'minor' },
        { id: 'adult', type: 'message', text: 'Welcome, adult of {age}.' },
        { type: 'end', text: 'Bye.' },
        { id: 'minor', type: 'end', text: 'Sorry, adults only.' },
        { id: 'gave-up', type: 'end', text: 'Let us try another time.' },
      ],
    },
  },
};

describe('the interpreter', () => {
  it('greets, asks, branches on the answer and ends', () => {
    const ctx = contextOf(greeter);
    const [first, second] = run(ctx, [say('hi'), say('42')]);
    expect(texts(first!)).toEqual(['Hello!']);
    expect(first!.prompt).toMatchObject({ text: 'How old are you?', input: 'number' });
    expect(texts(second!)).toEqual(['Welcome, adult of 42.', 'Bye.']);
    expect(second!.ended).toBe(true);
    expect(second!.session.vars.age).toBe(42);
  });

  it('asks again after a wrong answer and takes onFailure after maxAttempts', () => {
    const ctx = contextOf(greeter);
    const [, wrong, again] = run(ctx, [say('hi'), say('old'), say('very old')]);
    expect(texts(wrong!)).toEqual(['A number, please.']);
    expect(wrong!.prompt?.text).toBe('How old are you?');
    expect(texts(again!)).toEqual(['Let us try another time.']);
    expect(again!.ended).toBe(true);
  });

  it('starts over after the conversation ended', () => {
    const ctx = contextOf(greeter);
    const steps = run(ctx, [say('hi'), say('12'), say('hello again')]);
    expect(texts(steps[1]!)).toEqual(['Sorry, adults only.']);
    expect(texts(steps[2]!)).toEqual(['Hello!']);
  });

  it('starts over when the session is older than sessionTimeout', () => {
    const bot = { ...greeter, settings: { sessionTimeout: 60 } };
    const [first] = run(contextOf(bot, 'sms', 0), [say('hi')]);
    const later = advance(contextOf(bot, 'sms', 61_000), first!.session, say('30'));
    expect(texts(later)).toEqual(['Hello!']);
    const inTime = advance(contextOf(bot, 'sms', 59_000), first!.session, say('30'));
    expect(texts(inTime)).toEqual(['Welcome, adult of 30.', 'Bye.']);
  });

  it('follows a choice to its target, by number, label or tapped value', () => {
    const bot = {
      format: 1, id: 'menu', name: 'Menu', start: 'main',
      scripts: {
        main: { steps: [
          { type: 'question', ask: 'What do you need?', save: 'topic', input: 'choice', options: [
            { label: 'Balance', value: 'balance', goto: 'balance' },
            { label: 'Cards', value: 'cards', goto: 'cards#top' },
          ] },
          { id: 'balance', type: 'end', text: 'Balance it is.' },
        ] },
        cards: { steps: [{ type: 'message', text: 'unreached' }, { id: 'top', type: 'end', text: 'Cards: {topic}.' }] },
      },
    };
    const ctx = contextOf(bot);
    expect(texts(run(ctx, [say('hi'), say('1')])[1]!)).toEqual(['Balance it is.']);
    expect(texts(run(ctx, [say('hi'), say('CARDS')])[1]!)).toEqual(['Cards: cards.']);
    const [ask] = run(ctx, [say('hi')]);
    expect(ask!.prompt?.choices).toEqual([{ label: 'Balance', value: 'balance' }, { label: 'Cards', value: 'cards' }]);
    expect(texts(advance(ctx, ask!.session, { kind: 'message', input: { text: 'Cards', choice: 'cards' } }))).toEqual(['Cards: cards.']);
  });

  it('checks every input type', () => {
    const ask = (input: string, extra: object = {}) => ({
      format: 1, id: 'inputs', name: 'Inputs', start: 'main',
      scripts: { main: { steps: [{ type: 'question', ask: '?', save: 'v', input, ...extra }, { type: 'end', text: '{v}' }] } },
    });
    const answer = (bot: unknown, text: string) => {
      const [, second] = run(contextOf(bot), [say('hi'), say(text)]);
      return second!.ended ? second!.session.vars.v ?? texts(second!)[0] : 'retry';
    };
    expect(answer(ask('text'), '  Ada  ')).toBe('Ada');
    expect(answer(ask('text'), '   ')).toBe('retry');
    expect(answer(ask('number'), '3,5')).toBe(3.5);
    expect(answer(ask('number'), 'three')).toBe('retry');
    expect(answer(ask('digits', { numDigits: 4 }), '1234#')).toBe('1234');
    expect(answer(ask('digits', { numDigits: 4 }), '123')).toBe('retry');
    expect(answer(ask('email'), 'ada@example.com')).toBe('ada@example.com');
    expect(answer(ask('email'), 'ada at example')).toBe('retry');
    expect(answer(ask('phone'), '+1 (555) 010-0001')).toBe('+15550100001');
    expect(answer(ask('phone'), 'call me')).toBe('retry');
    expect(answer(ask('yesno'), 'Yes!')).toBe(true);
    expect(answer(ask('yesno'), '2')).toBe(false);
    expect(answer(ask('yesno'), 'maybe')).toBe('retry');
    expect(answer(ask('text', { pattern: '^[A-Z]{2}\\d{4}$' }), 'AB1234')).toBe('AB1234');
    expect(answer(ask('text', { pattern: '^[A-Z]{2}\\d{4}$' }), 'ab1234')).toBe('retry');
  });

  it('sets variables, keeping the type of a lone placeholder, and jumps across scripts', () => {
    const bot = {
      format: 1, id: 'sets', name: 'Sets', start: 'main',
      scripts: {
        main: { steps: [
          { type: 'question', ask: 'n?', save: 'n', input: 'number' },
          { type: 'set', vars: { copy: '{n}', label: 'n is {n}' } },
          { type: 'goto', script: 'other' },
        ] },
        other: { steps: [{ type: 'condition', branches: [{ when: { var: 'copy', op: 'eq', value: 7 }, goto: 'seven' }] }, { type: 'end', text: 'not seven' }, { id: 'seven', type: 'end', text: '{label}' }] },
      },
    };
    const [, second] = run(contextOf(bot), [say('hi'), say('7')]);
    expect(second!.session.vars).toMatchObject({ copy: 7, label: 'n is 7' });
    expect(texts(second!)).toEqual(['n is 7']);
  });

  it('starts a trigger script on its keyword, even in the middle of a question', () => {
    const bot = { ...greeter, triggers: [{ keywords: ['Help', 'agent please'], script: 'help' }], scripts: { ...greeter.scripts, help: { steps: [{ type: 'end', text: 'Call 555-0100.' }] } } };
    const [, help] = run(contextOf(bot), [say('hi'), say('  AGENT   please ')]);
    expect(texts(help!)).toEqual(['Call 555-0100.']);
  });

  it('stops a loop that never waits, tells the user plainly and leaves the conversation usable', () => {
    const bot = {
      format: 1, id: 'loop', name: 'Loop', start: 'main', settings: { maxStepsPerTurn: 10 },
      scripts: { main: { steps: [{ id: 'a', type: 'set', vars: { x: '1' } }, { type: 'goto', step: 'a' }] }, other: { steps: [{ type: 'end', text: 'ok' }] } },
    };
    const [stuck] = run(contextOf(bot), [say('hi')]);
    expect(texts(stuck!)).toEqual(['Sorry, something went wrong on our side. Please start again.']);
    expect(stuck!.ended).toBe(true);
    expect(stuck!.warnings.join()).toMatch(/more than 10 steps/);
    expect(advance(contextOf(bot), stuck!.session, say('again')).replies).toHaveLength(1);
  });

  it('ends when a script runs out of steps', () => {
    const bot = { format: 1, id: 'short', name: 'Short', start: 'main', scripts: { main: { steps: [{ type: 'message', text: 'Only this.' }] } } };
    const [only] = run(contextOf(bot), [say('hi')]);
    expect(texts(only!)).toEqual(['Only this.']);
    expect(only!.ended).toBe(true);
  });

  it('keeps the session compact JSON', () => {
    const [first] = run(contextOf(greeter), [say('hi')]);
    const json = JSON.stringify(first!.session);
    expect(JSON.parse(json)).toEqual(first!.session);
    expect(json.length).toBeLessThan(120);
  });
});

const bank = {
  format: 1, id: 'bank', name: 'Bank', start: 'main',
  authTokens: {
    login: {
      url: 'https://auth.example.com/login', ttl: 600, tokenPath: 'token',
      questions: [
        { ask: 'PIN?', field: 'pin', secret: true },
        { ask: 'Username?', field: 'username' },
        { ask: 'Password?', field: 'password', secret: true },
      ],
      maxAttempts: 2,
    },
  },
  scripts: {
    main: { steps: [
      { type: 'authToken', token: 'login', onFailure: 'locked' },
      { type: 'webService', url: 'https://api.example.com/balance', headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' }, onError: 'broken' },
      { type: 'message', text: 'Hi {account}, your balance is {balance}.' },
      { type: 'forgetToken', token: 'login' },
      { type: 'end' },
      { id: 'locked', type: 'end', text: 'Sign-in failed.' },
      { id: 'broken', type: 'end', text: 'The bank is closed.' },
    ] },
  },
};

describe('the interpreter with tokens', () => {
  it('says what request goes out: the templates, and every value but the credentials', () => {
    const file = {
      format: 1, id: 'api', name: 'API', start: 'main',
      scripts: { main: { steps: [
        { type: 'set', vars: { id: '42', note: '{{secret.KEY}} stays text' } },
        { type: 'webService', method: 'POST', url: 'https://api.example.com/accounts/{id}?by={user.id}', headers: { authorization: 'Bearer {authtoken}', 'x-key': '{secret.KEY}' }, body: { note: '{note}', missing: '{nothing}' }, save: { balance: 'balance' }, timeout: 5 },
        { type: 'end' },
      ] } },
    };
    const [call] = run(contextOf(file), [say('hi')]);
    expect(call!.effect).toEqual({
      type: 'web.call',
      step: { script: 'main', step: 1 },
      request: {
        method: 'POST',
        url: 'https://api.example.com/accounts/{id}?by={user.id}',
        headers: { authorization: 'Bearer {authtoken}', 'x-key': '{secret.KEY}' },
        body: { note: '{note}', missing: '{nothing}' },
        values: { id: '42', 'user.id': 'u1', note: '{secret.KEY} stays text' },
        timeoutSeconds: 5,
        save: { balance: 'balance' },
      },
    });
  });

  it('uses a cached token without a question', () => {
    const ctx = contextOf(bank);
    const [lookup, call, forget, done] = run(ctx, [
      say('hi'),
      result({ type: 'token.lookup', found: true, account: 'ada' }),
      result({ type: 'web.call', ok: true, status: 200, vars: { balance: 12 } }),
      result({ type: 'token.forget' }),
    ]);
    expect(lookup!.effect).toEqual({ type: 'token.lookup', token: 'login' });
    expect(call!.effect).toMatchObject({ type: 'web.call', token: 'login', step: { script: 'main', step: 1 } });
    expect(forget!.effect).toEqual({ type: 'token.forget', token: 'login' });
    expect(texts(forget!)).toEqual(['Hi ada, your balance is 12.']);
    expect(done!.ended).toBe(true);
  });

  it('asks the questions, seals a secret answered before the last, and never keeps secrets in the session', () => {
    const ctx = contextOf(bank);
    const steps = run(ctx, [
      say('hi'),
      result({ type: 'token.lookup', found: false }),
      say('4321'),
      result({ type: 'secret.seal', sealed: 'SEALED-PIN' }),
      say('ada'),
      say('hunter2'),
    ]);
    expect(steps[1]!.prompt).toMatchObject({ text: 'PIN?', secret: true });
    expect(steps[2]!.effect).toEqual({ type: 'secret.seal', value: '4321' });
    expect(steps[3]!.prompt).toMatchObject({ text: 'Username?', secret: false });
    expect(steps[5]!.effect).toEqual({ type: 'auth.signIn', token: 'login', answers: { username: 'ada', password: 'hunter2' }, sealed: { pin: 'SEALED-PIN' } });
    for (const step of steps) {
      const json = JSON.stringify(step.session);
      expect(json).not.toContain('4321');
      expect(json).not.toContain('hunter2');
    }
  });

  it('asks again after a refused sign-in and takes onFailure after maxAttempts', () => {
    const ctx = contextOf(bank);
    const answerAll = [say('1111'), result({ type: 'secret.seal', sealed: 's' }), say('ada'), say('bad')];
    const steps = run(ctx, [
      say('hi'),
      result({ type: 'token.lookup', found: false }),
      ...answerAll,
      result({ type: 'auth.signIn', ok: false, reason: 'refused' }),
      ...answerAll,
      result({ type: 'auth.signIn', ok: false, reason: 'refused' }),
    ]);
    const firstRefusal = steps[6]!;
    expect(texts(firstRefusal)).toEqual(["Sorry, those details weren't accepted. Let's try again."]);
    expect(firstRefusal.prompt?.text).toBe('PIN?');
    const last = steps.at(-1)!;
    expect(texts(last)).toEqual(['Sign-in failed.']);
  });

  it('drops a token the API refused, signs in again and calls once more', () => {
    const ctx = contextOf(bank);
    const steps = run(ctx, [
      say('hi'),
      result({ type: 'token.lookup', found: true, account: 'ada' }),
      result({ type: 'web.call', ok: false, status: 401, unauthorized: true, reason: 'unauthorized' }),
      result({ type: 'token.forget' }),
      say('1111'),
      result({ type: 'secret.seal', sealed: 's' }),
      say('ada'),
      say('pw'),
      result({ type: 'auth.signIn', ok: true, account: 'ada', vars: {} }),
      result({ type: 'web.call', ok: false, status: 401, unauthorized: false, reason: 'unauthorized' }),
    ]);
    expect(steps[2]!.effect).toEqual({ type: 'token.forget', token: 'login' });
    expect(texts(steps[2]!)).toEqual(['Please sign in again.']);
    expect(steps[3]!.prompt?.text).toBe('PIN?');
    expect(steps[8]!.effect).toMatchObject({ type: 'web.call', token: 'login' });
    expect(texts(steps[9]!)).toEqual(['The bank is closed.']);
  });

  it('tells web chat users that sign-in is not available and takes onFailure', () => {
    const [first] = run(contextOf(bank, 'web'), [say('hi')]);
    expect(texts(first!)).toEqual(["Sign-in isn't available in this chat. Please use our app, SMS, WhatsApp, Messenger or call us.", 'Sign-in failed.']);
    expect(first!.effect).toBeUndefined();
  });

  it('asks for digits only when the definition validates by number', () => {
    const bot = { ...bank, authTokens: { login: { ...bank.authTokens.login, validation: 'number' } } };
    const steps = run(contextOf(bot, 'phone'), [say('hi'), result({ type: 'token.lookup', found: false }), say('12a4')]);
    expect(steps[1]!.prompt).toMatchObject({ input: 'digits', keypad: true });
    expect(texts(steps[2]!)).toEqual(['Please enter digits only.']);
    expect(steps[2]!.prompt?.text).toBe('PIN?');
  });
});

describe('the interpreter when sign-in is paused', () => {
  it('says how long to wait before asking anything, and takes onFailure', () => {
    const [, paused] = run(contextOf(bank), [say('hi'), result({ type: 'token.lookup', found: false, retryAfterSeconds: 90 })]);
    expect(texts(paused!)).toEqual(['Too many attempts. Please wait 90 seconds and try again.', 'Sign-in failed.']);
    expect(paused!.prompt).toBeUndefined();
  });
});
