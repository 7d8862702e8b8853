// Repeated refused sign-ins of one user against one definition slow down; nobody else does.
// The engine's clock is held still so the pauses read exactly; Redis keeps its own time.
import { describe, expect, it } from 'vitest';
import { chatWith, play } from '../support/conversation.js';
import type { StandInService } from '../support/stand-in-service.js';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('back-off');
const standIn = standIns();

const ada = '+15550100001';
const alan = '+15550100002';

/** An auth service that takes only the password "right". */
function authService(service: StandInService): StandInService {
  return service.on('POST /login', (seen) => {
    const body = seen.json as { password?: string };
    return body.password === 'right' ? { json: { token: 'tok' } } : { status: 401, json: { error: 'bad password' } };
  });
}

function bankFor(service: StandInService, maxAttempts: number) {
  return botWith({
    authTokens: {
      acme: {
        url: `${service.url}/login`,
        questions: [{ ask: 'Password?', field: 'password', secret: true }],
        ttl: 600,
        tokenPath: 'token',
        maxAttempts,
        invalidMessage: 'Not accepted.',
      },
    },
    steps: [
      { type: 'authToken', token: 'acme', onFailure: 'locked' },
      { type: 'end', text: 'Welcome.' },
      { id: 'locked', type: 'end', text: 'Sign-in failed.' },
    ],
  });
}

/** A clock the test moves by hand. */
function handClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  return { now: () => now, forward: (seconds: number) => (now += seconds * 1000) };
}

describe('back-off of refused sign-ins', () => {
  it('after three refused tries, throttles the next without calling the auth service; another user is not affected', async () => {
    const service = authService(await standIn());
    const clock = handClock();
    const { engine, store } = engineFor(bankFor(service, 3), { clock: clock.now });
    const chat = chatWith(engine, { user: ada });
    await play(
      chat,
      `
      > hi
      Password?
      > wrong-1
      Not accepted.
      Password?
      > wrong-2
      Not accepted.
      Password?
      > wrong-3
      Sign-in failed.
      `,
    );
    expect(service.requests).toHaveLength(3);
    expect(await store.keyed.get(`authfail:test-bot:acme:twilio:sms:${ada}`)).toBe('3');

    clock.forward(5);
    await play(
      chat,
      `
      > hi
      Too many attempts. Please wait 25 seconds and try again.
      Sign-in failed.
      > right
      Too many attempts. Please wait 25 seconds and try again.
      Sign-in failed.
      `,
    );
    // Even the right password is not sent while the user is throttled.
    expect(service.requests).toHaveLength(3);

    await play(chatWith(engine, { user: alan }), '> hi\nPassword?\n> right\nWelcome.');
    expect(service.requests).toHaveLength(4);
    expect(await store.keyed.get(`authfail:test-bot:acme:twilio:sms:${alan}`)).toBeUndefined();
  });

  it('counts failures across conversations, and doubles the pause with each further failure', async () => {
    const service = authService(await standIn());
    const clock = handClock();
    const { engine } = engineFor(bankFor(service, 2), { clock: clock.now });
    const chat = chatWith(engine, { user: ada });
    await play(chat, "> hi\nPassword?\n> wrong\nNot accepted.\nPassword?\n> wrong\nSign-in failed.");
    // The third failure, in a new conversation, starts a pause of 30 s.
    await play(chat, '> hi\nPassword?\n> wrong\nNot accepted.\nPassword?\n> right\nToo many attempts. Please wait 30 seconds and try again.\nSign-in failed.');
    expect(service.requests).toHaveLength(3);

    clock.forward(31);
    await play(chat, '> hi\nPassword?\n> wrong\nNot accepted.\nPassword?\n> right\nToo many attempts. Please wait 60 seconds and try again.\nSign-in failed.');
    expect(service.requests).toHaveLength(4);

    clock.forward(61);
    await play(chat, '> hi\nPassword?\n> right\nWelcome.');
    expect(service.requests).toHaveLength(5);
  });

  it('forgets the failures once the user signs in', async () => {
    const service = authService(await standIn());
    const clock = handClock();
    const { engine, store } = engineFor(bankFor(service, 3), { clock: clock.now });
    const chat = chatWith(engine, { user: ada });
    await play(chat, '> hi\nPassword?\n> wrong\nNot accepted.\nPassword?\n> wrong\nNot accepted.\nPassword?\n> right\nWelcome.');
    expect(await store.keyed.get(`authfail:test-bot:acme:twilio:sms:${ada}`)).toBeUndefined();
  });

  it('does not count a service that is down against the user', async () => {
    const service = (await standIn()).on('POST /login', { status: 503, text: 'maintenance' });
    const { engine, store } = engineFor(bankFor(service, 3), { clock: handClock().now });
    const chat = chatWith(engine, { user: ada });
    for (let i = 0; i < 2; i += 1) {
      await chat.send('hi');
      for (let j = 0; j < 3; j += 1) await chat.send('pw');
    }
    expect(service.requests).toHaveLength(6);
    expect(await store.keyed.get(`authfail:test-bot:acme:twilio:sms:${ada}`)).toBeUndefined();
  });

  it('counts per user and definition, whatever the call: a new phone call is still throttled', async () => {
    const service = authService(await standIn());
    const { engine } = engineFor(bankFor(service, 3), { clock: handClock().now });
    const call = (id: string) => chatWith(engine, { channel: 'phone', user: ada, conversation: id });
    const first = call('CA-1');
    await first.start();
    for (const answer of ['wrong', 'wrong', 'wrong']) await first.send(answer);
    const second = call('CA-2');
    await second.start();
    expect(await second.send('right')).toEqual(['Too many attempts. Please wait 30 seconds and try again.', 'Sign-in failed.', '(the call ends)']);
    expect(service.requests).toHaveLength(3);
  });
});
