// The webService step through whole conversations: the token from a real Redis, the API a
// stand-in on loopback that records what it was sent.
import { describe, expect, it } from 'vitest';
import { chatWith, play } from '../support/conversation.js';
import type { StandInService } from '../support/stand-in-service.js';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('web-service');
const standIn = standIns();

const login = (service: StandInService) => ({
  url: `${service.url}/login`,
  questions: [
    { ask: 'What is your username?', field: 'username' },
    { ask: 'And your password?', field: 'password', secret: true },
  ],
  ttl: 3600,
  tokenPath: 'token',
});

/** An auth service that hands out tok-1, tok-2, … and an API that accepts only `accepted` tokens. */
function bankServices(service: StandInService, accepted: (token: string) => boolean = () => true) {
  let issued = 0;
  service.on('POST /login', () => ({ json: { token: `tok-${++issued}` } }));
  service.on('GET /balance', (seen) => {
    const token = String(seen.headers.authorization ?? '').replace(/^Bearer /, '');
    return accepted(token) ? { json: { balance: 12.5 } } : { status: 401, json: { error: 'token expired' } };
  });
  return service;
}

const balanceSteps = (service: StandInService, onError: string | null = 'broken') => [
  { type: 'authToken', token: 'acme' },
  { type: 'webService', url: `${service.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' }, ...(onError && { onError }) },
  { type: 'end', text: 'Your balance is {balance}.' },
  { id: 'broken', type: 'end', text: 'The bank cannot answer just now.' },
];

describe('webService: the request', () => {
  it.each(['POST', 'PUT', 'PATCH'])('%s sends a JSON body whose lone placeholders keep their type', async (method) => {
    const service = (await standIn()).on(`${method} /things`, { json: {} });
    const { engine, seedToken } = engineFor(
      botWith({
        authTokens: { acme: login(service) },
        steps: [
          { type: 'question', ask: 'How many?', save: 'count', input: 'number' },
          { type: 'authToken', token: 'acme' },
          {
            type: 'webService',
            method,
            url: `${service.url}/things`,
            headers: { authorization: 'Bearer {authtoken}', 'X-Count': '{count}', 'X-Client': '{secret.CLIENT_ID}' },
            body: { count: '{count}', label: 'n={count}', who: '{account}', list: ['{count}', 'x'], flag: true, none: null, literal: '{{count}}' },
          },
          { type: 'end', text: 'Done.' },
        ],
      }),
    );
    await seedToken('acme', 'tok-cached', 'ada');
    await play(chatWith(engine), '> hi\nHow many?\n> 3\nDone.');

    const [seen] = service.requests;
    expect(seen?.method).toBe(method);
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers.authorization).toBe('Bearer tok-cached');
    expect(seen?.headers['x-count']).toBe('3');
    expect(seen?.headers['x-client']).toBe('client-7f3a');
    expect(seen?.json).toEqual({ count: 3, label: 'n=3', who: 'ada', list: [3, 'x'], flag: true, none: null, literal: '{count}' });
  });

  it.each(['GET', 'DELETE'])('%s sends no body', async (method) => {
    const service = (await standIn()).on(`${method} /things/42`, { json: {} });
    const { engine, seedToken } = engineFor(
      botWith({
        authTokens: { acme: login(service) },
        steps: [
          { type: 'authToken', token: 'acme' },
          { type: 'webService', method, url: `${service.url}/things/42`, headers: { authorization: 'Bearer {authtoken}' } },
          { type: 'end', text: 'Done.' },
        ],
      }),
    );
    await seedToken('acme', 'tok-cached');
    await play(chatWith(engine), '> hi\nDone.');
    expect(service.requests.map((seen) => [seen.method, seen.path, seen.body, seen.headers.authorization])).toEqual([[method, '/things/42', '', 'Bearer tok-cached']]);
  });

  it('puts {authtoken} (the step’s definition), {authtoken.ID} and <authtoken> where the author wrote them', async () => {
    const service = (await standIn()).on('GET /both', { json: {} }).on('GET /last', { json: {} });
    const definitions = { alpha: login(service), beta: login(service) };
    const { engine, seedToken } = engineFor(
      botWith({
        authTokens: definitions,
        steps: [
          { type: 'authToken', token: 'alpha' },
          { type: 'authToken', token: 'beta' },
          {
            type: 'webService',
            url: `${service.url}/both`,
            authToken: 'alpha',
            headers: { 'x-default': '{authtoken}', 'x-beta': '{authtoken.beta}', 'x-angle': 'Bearer <authtoken>', 'x-angle-beta': '<authtoken.beta>' },
          },
          // Without `authToken`, {authtoken} is the last one acquired.
          { type: 'webService', url: `${service.url}/last?t={authtoken}` },
          { type: 'end', text: 'Done.' },
        ],
      }),
    );
    await seedToken('alpha', 'tok-alpha');
    await seedToken('beta', 'tok-beta');
    await play(chatWith(engine), '> hi\nDone.');

    const [both, last] = service.requests;
    expect(both?.headers).toMatchObject({ 'x-default': 'tok-alpha', 'x-beta': 'tok-beta', 'x-angle': 'Bearer tok-alpha', 'x-angle-beta': 'tok-beta' });
    expect(last?.query).toEqual({ t: 'tok-beta' });
  });

  it('percent-encodes values in the URL, so one value stays one path segment or one query value', async () => {
    const service = (await standIn()).on('GET /items/*', { json: {} });
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'question', ask: 'Which item?', save: 'item' },
          { type: 'webService', url: `${service.url}/items/{item}?q={item}&n=1` },
          { type: 'end', text: 'Done.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nWhich item?\n> a b?c&x=1#f\nDone.');
    const [seen] = service.requests;
    expect(seen?.path).toBe('/items/a%20b%3Fc%26x%3D1%23f');
    expect(seen?.query).toEqual({ q: 'a b?c&x=1#f', n: '1' });
  });

  it.each([['..'], ['.'], ['%2e%2e'], ['%2E%2e'], ['a/b'], ['..\\admin']])(
    'takes onError and sends nothing when the answer %s would climb out of its path segment',
    async (answer) => {
      const service = (await standIn()).on('GET /accounts/*', { json: { balance: 1 } }).on('GET /balance', { json: { balance: 1 } });
      const { engine } = engineFor(
        botWith({
          steps: [
            { type: 'question', ask: 'Which account?', save: 'id' },
            { type: 'webService', url: `${service.url}/accounts/{id}/balance`, save: { balance: 'balance' }, onError: 'broken' },
            { type: 'end', text: 'Your balance is {balance}.' },
            { id: 'broken', type: 'end', text: 'That account cannot be looked up.' },
          ],
        }),
      );
      await play(chatWith(engine), `> hi\nWhich account?\n> ${answer}\nThat account cannot be looked up.`);
      expect(service.requests).toEqual([]);
    },
  );

  it('takes onError and calls no one when an answer would choose the host', async () => {
    const service = (await standIn()).on('GET /balance', { json: { balance: 1 } });
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'question', ask: 'Which bank?', save: 'host' },
          // A bot the loader would refuse; the renderer refuses it too.
          { type: 'webService', url: `http://{host}:${service.port}/balance`, onError: 'broken' },
          { type: 'end', text: 'Called.' },
          { id: 'broken', type: 'end', text: 'That bank cannot be reached.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nWhich bank?\n> 127.0.0.1\nThat bank cannot be reached.');
    expect(service.requests).toEqual([]);
  });

  it.each([
    ['CR LF', '\r\n'],
    ['LF', '\n'],
    ['CR', '\r'],
  ])('refuses a header value holding %s: nothing is sent and onError is taken', async (_label, lineBreak) => {
    const service = (await standIn()).on('GET /notes', { json: {} });
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'question', ask: 'Your note?', save: 'note' },
          { type: 'webService', url: `${service.url}/notes`, headers: { 'x-note': 'note: {note}' }, onError: 'broken' },
          { type: 'end', text: 'Done.' },
          { id: 'broken', type: 'end', text: 'That did not go through.' },
        ],
      }),
    );
    const chat = chatWith(engine);
    await play(chat, '> hi\nYour note?');
    // A transcript is one line per message, so the answer with a line break is sent apart.
    expect(await chat.send(`hello${lineBreak}X-Injected: yes`)).toEqual(['That did not go through.']);
    expect(service.requests).toEqual([]);
  });

  it('takes onError, keeping the step’s own token, when {authtoken.ID} names a token this user does not have', async () => {
    const service = (await standIn()).on('GET /both', { json: {} });
    const { engine, seedToken, store } = engineFor(
      botWith({
        authTokens: { alpha: login(service), beta: login(service) },
        steps: [
          { type: 'authToken', token: 'alpha' },
          { type: 'webService', url: `${service.url}/both`, headers: { 'x-alpha': '{authtoken}', 'x-beta': '{authtoken.beta}' }, onError: 'broken' },
          { type: 'end', text: 'Done.' },
          { id: 'broken', type: 'end', text: 'That did not go through.' },
        ],
      }),
    );
    await seedToken('alpha', 'tok-alpha');
    await play(chatWith(engine), '> hi\nThat did not go through.');
    expect(service.requests).toEqual([]);
    expect(await store.tokens.get('test-bot:alpha:u:twilio:sms:+15550100001')).toEqual({ token: 'tok-alpha', account: 'ada' });
  });

  it('signs in again, rather than calling without it, when the step’s own token is gone but another is cached', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-alpha-new' } }).on('GET /both', { json: {} });
    const { engine, seedToken } = engineFor(
      botWith({
        authTokens: { alpha: login(service), beta: login(service) },
        steps: [
          { type: 'webService', authToken: 'alpha', url: `${service.url}/both`, headers: { 'x-alpha': '{authtoken}', 'x-beta': '{authtoken.beta}' }, onError: 'broken' },
          { type: 'end', text: 'Done.' },
          { id: 'broken', type: 'end', text: 'That did not go through.' },
        ],
      }),
    );
    await seedToken('beta', 'tok-beta');
    await play(chatWith(engine), '> hi\nWhat is your username?\n> ada\nAnd your password?\n> pw\nDone.');
    expect(service.to('GET /both').map((seen) => [seen.headers['x-alpha'], seen.headers['x-beta']])).toEqual([['tok-alpha-new', 'tok-beta']]);
  });
});

describe('webService: the answer', () => {
  it('saves a field, a dotted path and a JSONPath from the answer', async () => {
    const service = (await standIn()).on('GET /account', {
      json: { balance: 12.5, data: { owner: { name: 'Ada' } }, items: [{ id: 'x1' }, { id: 'x2' }], 'a.b': 'dotted key' },
    });
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'webService', url: `${service.url}/account`, save: { balance: 'balance', owner: 'data.owner.name', first: '$.items[0].id', second: 'items.1.id', odd: 'a.b', none: 'no.such.path' } },
          { type: 'end', text: '{owner} has {balance}; items {first} and {second}; {odd}; [{none}]' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nAda has 12.5; items x1 and x2; dotted key; []');
  });

  it('takes onError on a time-out', async () => {
    const service = (await standIn()).on('GET /slow', { hang: true });
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'webService', url: `${service.url}/slow`, timeout: 0.5, onError: 'broken' },
          { type: 'end', text: 'Done.' },
          { id: 'broken', type: 'end', text: 'Too slow.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nToo slow.');
    expect(service.requests).toHaveLength(1);
  });

  it.each([
    ['streamed', { streamBytes: 1024 * 1024 + 1 }],
    ['declared', { json: { blob: 'a'.repeat(1024 * 1024) } }],
  ])('refuses an answer over 1 MB (%s) and takes onError', async (_label, answer) => {
    const service = (await standIn()).on('GET /big', answer);
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'webService', url: `${service.url}/big`, save: { blob: 'blob' }, onError: 'broken' },
          { type: 'end', text: 'Done.' },
          { id: 'broken', type: 'end', text: 'Too big.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nToo big.');
  });

  it('accepts an answer of just under 1 MB, saving a part of it', async () => {
    // What is saved goes into the session, which has its own cap (64 KiB; test/security/deep-answers.test.ts).
    const service = (await standIn()).on('GET /big', { json: { blob: 'a'.repeat(1024 * 1024 - 120), name: 'ok' } });
    const { engine } = engineFor(
      botWith({
        steps: [
          { type: 'webService', url: `${service.url}/big`, save: { name: 'name' }, onError: 'broken' },
          { type: 'end', text: 'Done.' },
          { id: 'broken', type: 'end', text: 'Too big.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nDone.');
  });

  it.each([
    ['a 500', { status: 500, text: 'NullPointerException at com.acme.Balance' }],
    ['a 404', { status: 404, json: { error: 'no route /v2/balance' } }],
    ['a body that is not JSON', { text: '<html>oops</html>' }],
  ])('takes onError on %s, telling the user nothing of it', async (_label, answer) => {
    const service = (await standIn()).on('GET /balance', answer);
    const { engine, seedToken } = engineFor(botWith({ authTokens: { acme: login(service) }, steps: balanceSteps(service) }));
    await seedToken('acme', 'tok-cached');
    await play(chatWith(engine), '> hi\nThe bank cannot answer just now.');
  });

  it('without onError, says plainly that it did not work and ends', async () => {
    const service = (await standIn()).on('GET /balance', { status: 503, text: 'upstream connect error' });
    const { engine, seedToken } = engineFor(botWith({ authTokens: { acme: login(service) }, steps: balanceSteps(service, null) }));
    await seedToken('acme', 'tok-cached');
    const chat = chatWith(engine);
    await play(chat, "> hi\nSorry, that didn't work. Please try again later.");
    expect(chat.last?.ended).toBe(true);
  });
});

describe('webService: {authtoken} before any sign-in', () => {
  it('takes onError and sends nothing when no token was ever acquired and the step names none', async () => {
    const service = bankServices(await standIn());
    const { engine } = engineFor(
      botWith({
        authTokens: { acme: login(service) },
        steps: [
          { type: 'webService', url: `${service.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, onError: 'broken' },
          { type: 'end', text: 'Called.' },
          { id: 'broken', type: 'end', text: 'Please sign in first.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nPlease sign in first.');
    expect(service.requests).toHaveLength(0);
  });
});

describe('webService: a token the API refuses', () => {
  it('drops a cached token on a 401, asks the questions again and calls once more', async () => {
    const service = bankServices(await standIn(), (token) => token !== 'tok-stale');
    const { engine, seedToken, store } = engineFor(botWith({ authTokens: { acme: login(service) }, steps: balanceSteps(service) }));
    await seedToken('acme', 'tok-stale');
    await play(
      chatWith(engine),
      `
      > hi
      Please sign in again.
      What is your username?
      > ada
      And your password?
      > lovelace
      Your balance is 12.5.
      `,
    );
    expect(service.to('GET /balance').map((seen) => seen.headers.authorization)).toEqual(['Bearer tok-stale', 'Bearer tok-1']);
    expect(await store.tokens.get('test-bot:acme:u:twilio:sms:+15550100001')).toEqual({ token: 'tok-1', account: 'ada' });
  });

  it('takes onError when the API refuses the new token too', async () => {
    const service = bankServices(await standIn(), () => false);
    const { engine, seedToken } = engineFor(botWith({ authTokens: { acme: login(service) }, steps: balanceSteps(service) }));
    await seedToken('acme', 'tok-stale');
    await play(
      chatWith(engine),
      `
      > hi
      Please sign in again.
      What is your username?
      > ada
      And your password?
      > lovelace
      The bank cannot answer just now.
      `,
    );
    expect(service.to('GET /balance')).toHaveLength(2);
    expect(service.to('POST /login')).toHaveLength(1);
  });

  it('takes onError at once when a token acquired in this very turn is refused', async () => {
    const service = bankServices(await standIn(), () => false);
    const { engine } = engineFor(botWith({ authTokens: { acme: login(service) }, steps: balanceSteps(service) }));
    await play(
      chatWith(engine),
      `
      > hi
      What is your username?
      > ada
      And your password?
      > lovelace
      The bank cannot answer just now.
      `,
    );
    expect(service.to('GET /balance')).toHaveLength(1);
  });
});
