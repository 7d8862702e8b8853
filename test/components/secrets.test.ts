// Secret answers are sent to the auth service and then forgotten; tokens never reach a user,
// a session, a log line or an error. A full conversation runs against Redis with a log that
// keeps every record, and then everything it left behind is searched for the secrets.
import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { previewLines } from '../../channels/preview.js';
import { loadBotText } from '../../src/bot/load.js';
import { conversationKey, runTurn } from '../../src/runtime/run-turn.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { User } from '../../src/runtime/turn.js';
import type { Store } from '../../src/stores/store.js';
import { botOf, chatWith, play } from '../support/conversation.js';
import { dumpKeys, rawRedis } from '../support/redis.js';
import type { StandInService } from '../support/stand-in-service.js';
import { botWith, capturingLog, enginesOnRedis, standIns, testEncryptionKey, testEnv } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('secrets');
const standIn = standIns();
const raw = rawRedis();
afterAll(async () => {
  await raw.quit();
});

/** Values no test data could hold by chance. */
function secrets() {
  return {
    password: `pw-${randomBytes(8).toString('hex')}`,
    // Digits, as a PIN is, but long enough never to turn up inside a timestamp.
    pin: `9${String(randomInt(1e11, 1e12 - 1))}`,
    token: `tok-${randomBytes(12).toString('hex')}`,
    pinToken: `ptok-${randomBytes(12).toString('hex')}`,
  };
}

type Secrets = ReturnType<typeof secrets>;

/** A port nothing listens on, for a call that fails to connect. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * An auth service that refuses the first try (quoting the password back, as careless services
 * do), fails the second with a 500 that quotes it too, then signs in; a PIN service; and an API
 * that echoes the token it was sent.
 */
function services(service: StandInService, s: Secrets): StandInService {
  return service
    .on('POST /login', (seen, count) => {
      const body = seen.json as { password?: string };
      if (count === 1) return { status: 401, json: { error: `wrong password "${body.password}"` }, headers: { 'x-debug': String(body.password) } };
      if (count === 2) return { status: 500, text: `stack trace: login(${body.password}) failed` };
      return { json: { token: s.token, user: { name: 'Ada', token: s.token } } };
    })
    .on('POST /pin', (seen) => {
      const body = seen.json as { pin?: string };
      return body.pin === s.pin ? { json: { token: s.pinToken, holder: 'Ada L.' } } : { status: 401, json: { error: `bad pin ${body.pin}` } };
    })
    .on('GET /me', (seen) => ({ json: { name: 'Ada', echo: String(seen.headers.authorization).replace('Bearer ', '') } }))
    .on('GET /cards', (seen) => ({ json: { cards: 2, echo: seen.headers['x-card-token'] } }));
}

function bankBot(service: StandInService, deadPort: number) {
  return botWith({
    triggers: [{ keywords: ['logout'], script: 'logout' }],
    authTokens: {
      login: {
        url: `${service.url}/login`,
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        fields: { client: '{secret.CLIENT_ID}' },
        ttl: 600,
        tokenPath: 'token',
        accountPath: 'user.name',
      },
      // The secret is asked first, so it waits sealed in the session until the last answer.
      'pin-login': {
        url: `${service.url}/pin`,
        questions: [
          { ask: 'PIN?', field: 'pin', secret: true },
          { ask: 'Card number?', field: 'card' },
        ],
        ttl: 600,
        tokenPath: '$.token',
        accountPath: 'holder',
      },
    },
    steps: [
      { type: 'message', text: 'Welcome.' },
      // A save path pointing at the token is refused, as is one that holds it deeper down.
      { type: 'authToken', token: 'login', save: { leaked: 'token', alsoLeaked: 'user.token', who: 'user.name' } },
      { type: 'webService', url: `${service.url}/me`, headers: { authorization: 'Bearer {authtoken}' }, save: { name: 'name', echoed: 'echo' } },
      // A call that cannot connect, with the token and a bot secret in its URL: its failure is logged.
      { type: 'webService', url: `http://127.0.0.1:${deadPort}/audit?t={authtoken}&c={secret.CLIENT_ID}`, onError: 'cards' },
      { id: 'cards', type: 'authToken', token: 'pin-login' },
      { type: 'webService', url: `${service.url}/cards`, headers: { 'x-card-token': '{authtoken.pin-login}' }, save: { cards: 'cards', cardEcho: 'echo' } },
      { type: 'end', text: 'Hi {name} ({account.login}, {account}): {cards} cards. [{leaked}{alsoLeaked}{echoed}{cardEcho}]' },
    ],
    scripts: { logout: { steps: [{ type: 'forgetToken', token: 'login' }, { type: 'forgetToken', token: 'pin-login' }, { type: 'end', text: 'Signed out.' }] } },
  });
}

/** Everything a run left anywhere a secret could leak to. */
interface Traces {
  replies: string[];
  sessions: string[];
  redis: string[];
  errors: string[];
}

/** Sends each message as its own delivery, keeping every reply, session and Redis state. */
async function converse(engine: Engine, store: Store, messages: string[], traces: Traces): Promise<string[]> {
  const user: User = { id: '+15550100001', channel: 'sms', via: 'twilio', phone: '+15550100001' };
  const conversation = 'sms:+15550100001';
  const lines: string[] = [];
  for (const text of messages) {
    try {
      const output = await runTurn(engine, { user, conversation, input: { text }, delivery: `SM${randomBytes(8).toString('hex')}` });
      traces.replies.push(JSON.stringify(output));
      lines.push(`> ${text}`, ...previewLines(output, 'sms'));
    } catch (error) {
      traces.errors.push(error instanceof Error ? `${error.message}\n${error.stack}` : String(error));
    }
    const session = await store.sessions.get(conversationKey({ user, conversation }));
    if (session !== undefined) traces.sessions.push(session.value);
    // Between turns is where a secret asked early would sit: look at Redis after every turn.
    for (const [key, value] of await dumpKeys(raw, '')) traces.redis.push(`${key}\n${value}`);
  }
  return lines;
}

function expectNowhere(value: string, where: Record<string, string[]>): void {
  for (const [name, texts] of Object.entries(where)) {
    const found = texts.find((text) => text.includes(value));
    expect(found === undefined ? undefined : `${name}: …${found.slice(Math.max(0, found.indexOf(value) - 80), found.indexOf(value) + 80)}…`, `found in ${name}`).toBeUndefined();
  }
}

async function fullRun(options: { encryptionKey?: string }) {
  const s = secrets();
  const service = services(await standIn(), s);
  const log = capturingLog();
  const { engine, store, prefix } = engineFor(bankBot(service, await closedPort()), { ...options, log });
  const traces: Traces = { replies: [], sessions: [], redis: [], errors: [] };
  const say = (...messages: string[]) => converse(engine, store, messages, traces);

  const first = await say('hi', 'ada', s.password, 'ada', s.password, 'ada', s.password, s.pin);
  // The PIN now waits for the card number: sealed in the session, never in clear.
  expect(traces.sessions.at(-1)).toMatch(/"sealed":\{"pin":"v1\./);
  first.push(...(await say('4111')));
  expect(first).toEqual([
    '> hi', 'Welcome.', 'Username?',
    '> ada', 'Password?',
    `> ${s.password}`, "Sorry, those details weren't accepted. Let's try again.", 'Username?',
    '> ada', 'Password?',
    `> ${s.password}`, "Sorry, I couldn't check your details just now. Let's try again.", 'Username?',
    '> ada', 'Password?',
    `> ${s.password}`, 'PIN?',
    `> ${s.pin}`, 'Card number?',
    '> 4111', 'Hi Ada (Ada, Ada L.): 2 cards. []',
  ]);
  // The next conversation uses the cached tokens, then signs out.
  expect(await say('hello again', 'logout')).toEqual(['> hello again', 'Welcome.', 'Hi Ada (Ada, Ada L.): 2 cards. []', '> logout', 'Signed out.']);

  // The services did get what they needed.
  expect(service.to('POST /login').map((seen) => seen.json)).toContainEqual({ username: 'ada', password: s.password, client: testEnv.BOT_SECRET_CLIENT_ID });
  expect(service.to('POST /pin')[0]?.json).toEqual({ pin: s.pin, card: '4111' });
  expect(service.to('GET /me').map((seen) => seen.headers.authorization)).toEqual([`Bearer ${s.token}`, `Bearer ${s.token}`]);

  const logText = log.text();
  // The log did record the refusals, so searching it means something.
  expect(log.records.length).toBeGreaterThan(5);
  expect(logText).toContain('web service call failed');
  expect(logText).toContain('a save path points at the token itself');
  return { s, traces, logText, store, prefix };
}

describe('secrets and tokens leave no trace', () => {
  it('with TOKEN_ENCRYPTION_KEY: no secret answer, bot secret or token in Redis, logs, replies, sessions or errors', async () => {
    const { s, traces, logText, prefix } = await fullRun({ encryptionKey: testEncryptionKey });
    const everywhere = { redis: traces.redis, log: [logText], replies: traces.replies, sessions: traces.sessions, errors: traces.errors };
    for (const value of [s.password, s.pin, s.token, s.pinToken]) expectNowhere(value, everywhere);
    // The bot secret is a fixed test value, so only this run's keys are searched for it.
    const ours = traces.redis.filter((entry) => entry.startsWith(`${prefix}:`));
    expect(ours.length).toBeGreaterThan(0);
    expectNowhere(testEnv.BOT_SECRET_CLIENT_ID, { ...everywhere, redis: ours });
    expect(traces.errors).toEqual([]);
  });

  it('without TOKEN_ENCRYPTION_KEY: no secret answer anywhere, and no token outside the token store', async () => {
    const { s, traces, logText } = await fullRun({});
    const everywhere = { redis: traces.redis, log: [logText], replies: traces.replies, sessions: traces.sessions, errors: traces.errors };
    for (const value of [s.password, s.pin]) expectNowhere(value, everywhere);
    // Tokens are kept in clear in Redis without a key (the server warns about it), and nowhere else.
    expect(traces.redis.some((entry) => entry.includes(s.token))).toBe(true);
    const notTokenStore = traces.redis.filter((entry) => !/^[^\n]*:t:/.test(entry));
    for (const value of [s.token, s.pinToken]) expectNowhere(value, { ...everywhere, redis: notTokenStore });
    expect(traces.errors).toEqual([]);
  });
});

describe('a token is never saved into a variable', () => {
  it('from the auth service answer, not even inside an object', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-in-profile', user: { name: 'Ada', session: { token: 'tok-in-profile' } } } });
    const { engine, store } = engineFor(
      botWith({
        authTokens: { login: { url: `${service.url}/login`, questions: [{ ask: 'Password?', field: 'password', secret: true }], ttl: 600, tokenPath: 'token' } },
        steps: [
          { type: 'authToken', token: 'login', save: { profile: 'user', name: 'user.name' } },
          { type: 'question', ask: 'Hi {name}. Anything else? [{profile.session.token}]', save: 'more' },
          { type: 'end', text: 'Bye.' },
        ],
      }),
    );
    const chat = chatWith(engine);
    await play(chat, '> hi\nPassword?\n> pw\nHi Ada. Anything else? []');
    expect((await store.sessions.get('twilio:sms:+15550100001'))?.value).not.toContain('tok-in-profile');
  });

  it('nor into the account name, when accountPath points at the token', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-as-account' } });
    const { engine, store } = engineFor(
      botWith({
        authTokens: {
          login: {
            url: `${service.url}/login`,
            questions: [{ ask: 'Username?', field: 'username' }, { ask: 'Password?', field: 'password', secret: true }],
            ttl: 600,
            tokenPath: 'token',
            accountPath: 'token',
          },
        },
        steps: [{ type: 'authToken', token: 'login' }, { type: 'question', ask: 'Hi {account}. More?', save: 'more' }, { type: 'end' }],
      }),
    );
    await play(chatWith(engine), '> hi\nUsername?\n> ada\nPassword?\n> pw\nHi ada. More?');
    expect((await store.sessions.get('twilio:sms:+15550100001'))?.value).not.toContain('tok-as-account');
  });

  it('from an API answer that echoes any of the tokens the call used', async () => {
    const service = (await standIn()).on('GET /echo', (seen) => ({ json: { first: seen.headers['x-alpha'], second: seen.headers['x-beta'], both: { a: seen.headers['x-alpha'], b: seen.headers['x-beta'] } } }));
    const definition = { url: `${service.url}/login`, questions: [{ ask: 'Password?', field: 'password', secret: true }], ttl: 600, tokenPath: 'token' };
    const { engine, store, seedToken } = engineFor(
      botWith({
        authTokens: { alpha: definition, beta: definition },
        steps: [
          { type: 'authToken', token: 'alpha' },
          { type: 'authToken', token: 'beta' },
          { type: 'webService', url: `${service.url}/echo`, headers: { 'x-alpha': '{authtoken.alpha}', 'x-beta': '{authtoken.beta}' }, save: { first: 'first', second: 'second', both: 'both' } },
          { type: 'question', ask: 'Saved [{first}] [{second}] [{both}]. More?', save: 'more' },
          { type: 'end', text: 'Bye.' },
        ],
      }),
    );
    await seedToken('alpha', 'tok-alpha-echoed');
    await seedToken('beta', 'tok-beta-echoed');
    await play(chatWith(engine), '> hi\nSaved [] [] []. More?');
    const session = (await store.sessions.get('twilio:sms:+15550100001'))?.value;
    expect(session).not.toContain('tok-alpha-echoed');
    expect(session).not.toContain('tok-beta-echoed');
  });
});

describe('a token cannot be shown to the user', () => {
  const withText = (text: string, type = 'message') =>
    JSON.stringify({
      format: 1,
      id: 'leaky',
      name: 'Leaky',
      start: 'main',
      authTokens: { login: { url: 'https://auth.example.com/login', questions: [{ ask: 'Password?', field: 'password', secret: true }], ttl: 600, tokenPath: 'token' } },
      scripts: {
        main: {
          steps: [
            { type: 'authToken', token: 'login' },
            type === 'set' ? { type: 'set', vars: { copy: text } } : { type, text },
            { type: 'end' },
          ],
        },
      },
    });

  it.each([
    ['{authtoken} in a message', withText('Your token is {authtoken}.')],
    ['<authtoken> in a message', withText('Your token is <authtoken>.')],
    ['{authtoken.login} at the end', withText('Bye {authtoken.login}', 'end')],
    ['{authtoken} copied into a variable', withText('{authtoken}', 'set')],
    ['{secret.CLIENT_ID} in a message', withText('Client {secret.CLIENT_ID}')],
  ])('the loader refuses %s', (_label, text) => {
    const { bot, problems } = loadBotText(text, 'leaky.json');
    expect(bot).toBeUndefined();
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.code)).toEqual(['secret-in-text']);
  });

  it('and a bot that skipped the loader still shows nothing of it', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-never-shown' } });
    const bot = botOf({
      format: 1,
      id: 'unchecked',
      name: 'Unchecked',
      start: 'main',
      authTokens: { login: { url: `${service.url}/login`, questions: [{ ask: 'Password?', field: 'password', secret: true }], ttl: 600, tokenPath: 'token' } },
      scripts: {
        main: {
          steps: [
            { type: 'authToken', token: 'login' },
            { type: 'set', vars: { copy: '{authtoken}', secret: '{secret.CLIENT_ID}' } },
            { type: 'end', text: 'Token [{authtoken}] [<authtoken>] [{authtoken.login}] [{copy}] [{secret.CLIENT_ID}] [{secret}]' },
          ],
        },
      },
    });
    const { engine } = engineFor(bot);
    await play(chatWith(engine), '> hi\nPassword?\n> pw\nToken [] [] [] [] [] []');
  });
});
