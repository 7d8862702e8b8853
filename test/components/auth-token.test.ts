// The authToken step through whole conversations: a real Redis keeps sessions and tokens, and
// stand-in services on loopback play the author's auth service and API.
import { afterAll, describe, expect, it } from 'vitest';
import { chatWith, play } from '../support/conversation.js';
import { rawRedis } from '../support/redis.js';
import type { StandInAnswer, StandInService } from '../support/stand-in-service.js';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('auth-token');
const standIn = standIns();
const raw = rawRedis();
afterAll(async () => {
  await raw.quit();
});

const usernameAndPassword = [
  { ask: 'What is your username?', field: 'username' },
  { ask: 'And your password?', field: 'password', secret: true },
];

/** A bot that signs in with `definition`, calls the API with the token and names the account. */
function signInBot(service: StandInService, definition: Record<string, unknown>) {
  return botWith({
    triggers: [{ keywords: ['logout'], script: 'logout' }],
    authTokens: {
      acme: { url: `${service.url}/login`, questions: usernameAndPassword, ttl: 3600, tokenPath: 'token', ...definition },
    },
    steps: [
      { type: 'authToken', token: 'acme', onFailure: 'no-access' },
      { type: 'webService', url: `${service.url}/me`, headers: { authorization: 'Bearer {authtoken}' }, onError: 'api-down' },
      { type: 'end', text: 'Signed in as {account}.' },
      { id: 'no-access', type: 'question', ask: 'We could not sign you in. Shall I call you back?', input: 'yesno', save: 'callBack' },
      { type: 'end', text: 'Noted.' },
      { id: 'api-down', type: 'end', text: 'The API is down.' },
    ],
    scripts: { logout: { steps: [{ type: 'forgetToken', token: 'acme' }, { type: 'end', text: 'You are signed out.' }] } },
  });
}

/** What the API saw as the bearer token of each call. */
const bearers = (service: StandInService) => service.to('GET /me').map((seen) => seen.headers.authorization);

const signInTranscript = (account = 'ada') => `
  > hi
  What is your username?
  > ada
  And your password?
  > lovelace
  Signed in as ${account}.
`;

describe('authToken: what is sent to the auth service', () => {
  it('POSTs the answers as JSON under their fields, with extra fields and headers from templates', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-json' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(
      signInBot(service, {
        fields: { client_id: '{secret.CLIENT_ID}', phone: '{user.phone}', channel: '{user.channel}' },
        headers: { 'X-Client': '{secret.CLIENT_ID}', 'X-Channel': 'via {user.channel}' },
      }),
    );
    await play(chatWith(engine), signInTranscript());

    const [login] = service.to('POST /login');
    expect(login?.headers['content-type']).toBe('application/json');
    expect(login?.json).toEqual({ username: 'ada', password: 'lovelace', client_id: 'client-7f3a', phone: '+15550100001', channel: 'sms' });
    expect(login?.headers['x-client']).toBe('client-7f3a');
    expect(login?.headers['x-channel']).toBe('via sms');
    expect(bearers(service)).toEqual(['Bearer tok-json']);
  });

  it('POSTs a form when the encoding is "form"', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-form' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { encoding: 'form', fields: { client_id: '{secret.CLIENT_ID}' } }));
    await play(chatWith(engine), signInTranscript());

    const [login] = service.to('POST /login');
    expect(login?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(login?.form).toEqual({ username: 'ada', password: 'lovelace', client_id: 'client-7f3a' });
    expect(bearers(service)).toEqual(['Bearer tok-form']);
  });

  it('GETs with the answers and fields in the query string', async () => {
    const service = (await standIn()).on('GET /login', { json: { token: 'tok-get' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { method: 'GET', fields: { client_id: '{secret.CLIENT_ID}' } }));
    await play(chatWith(engine), signInTranscript());

    const [login] = service.to('GET /login');
    expect(login?.query).toEqual({ username: 'ada', password: 'lovelace', client_id: 'client-7f3a' });
    expect(login?.body).toBe('');
    expect(bearers(service)).toEqual(['Bearer tok-get']);
  });

  it('counts the service as unavailable, and calls nothing, when an answer would climb out of its path segment', async () => {
    const service = (await standIn()).on('POST /*', { json: { token: 'tok' } });
    const { engine } = engineFor(
      botWith({
        authTokens: { acme: { url: `${service.url}/regions/{region}/login`, questions: usernameAndPassword, ttl: 3600, tokenPath: 'token', maxAttempts: 1 } },
        steps: [
          { type: 'question', ask: 'Which region?', save: 'region' },
          { type: 'authToken', token: 'acme', onFailure: 'no-access' },
          { type: 'end', text: 'Signed in.' },
          { id: 'no-access', type: 'end', text: 'Not signed in.' },
        ],
      }),
    );
    await play(
      chatWith(engine),
      `
      > hi
      Which region?
      > ..
      What is your username?
      > ada
      And your password?
      > lovelace
      Not signed in.
      `,
    );
    expect(service.requests).toEqual([]);
  });
});

describe('authToken: reading the auth service answer', () => {
  it.each([
    ['a field name', 'token', { token: 'tok-field' }, 'tok-field'],
    ['a dotted path', 'data.auth.token', { data: { auth: { token: 'tok-dotted' } } }, 'tok-dotted'],
    ['a JSONPath', '$.data.token', { data: { token: 'tok-jsonpath' } }, 'tok-jsonpath'],
  ])('takes the token at %s', async (_label, tokenPath, answer, token) => {
    const service = (await standIn()).on('POST /login', { json: answer }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { tokenPath }));
    await play(chatWith(engine), signInTranscript());
    expect(bearers(service)).toEqual([`Bearer ${token}`]);
  });

  it('takes the whole body, trimmed, when json is false', async () => {
    const service = (await standIn()).on('POST /login', { text: '  \n raw-token-9 \n' }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { json: false, tokenPath: undefined }));
    await play(chatWith(engine), signInTranscript());
    expect(bearers(service)).toEqual(['Bearer raw-token-9']);
  });

  it('keeps the token for expires_in seconds when the service says less than the ttl', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok', expires_in: 60 } }).on('GET /me', { json: {} });
    const { engine, tokenKey } = engineFor(signInBot(service, { ttl: 3600, expiresInPath: 'expires_in' }));
    await play(chatWith(engine), signInTranscript());
    const ttl = await raw.pttl(tokenKey('acme'));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('keeps the token for the ttl when the service says more', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok', auth: { expires: '86400' } } }).on('GET /me', { json: {} });
    const { engine, tokenKey } = engineFor(signInBot(service, { ttl: 120, expiresInPath: '$.auth.expires' }));
    await play(chatWith(engine), signInTranscript());
    const ttl = await raw.pttl(tokenKey('acme'));
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('names the account from accountPath in later messages', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok', user: { name: 'Ada Lovelace' } } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { accountPath: 'user.name' }));
    await play(chatWith(engine), signInTranscript('Ada Lovelace'));
  });

  it('names the account by the first answer that is not secret, without accountPath', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const questions = [
      { ask: 'Your PIN?', field: 'pin', secret: true },
      { ask: 'Your account number?', field: 'account' },
    ];
    const { engine } = engineFor(signInBot(service, { questions }));
    await play(
      chatWith(engine),
      `
      > hi
      Your PIN?
      > 1815
      Your account number?
      > 10001
      Signed in as 10001.
      `,
    );
    expect(service.to('POST /login')[0]?.json).toEqual({ pin: '1815', account: '10001' });
  });
});

describe('authToken: answers and the auth service answer in the conversation', () => {
  it('saves parts of the auth service answer into variables', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok', user: { name: 'Ada', tier: 'gold' } } });
    const { engine } = engineFor(
      botWith({
        authTokens: { acme: { url: `${service.url}/login`, questions: usernameAndPassword, ttl: 600, tokenPath: 'token' } },
        steps: [
          { type: 'authToken', token: 'acme', save: { name: 'user.name', tier: '$.user.tier' } },
          { type: 'end', text: 'Hello {name}, you are {tier}.' },
        ],
      }),
    );
    await play(chatWith(engine), '> hi\nWhat is your username?\n> ada\nAnd your password?\n> pw\nHello Ada, you are gold.');
  });

  it('takes a trigger keyword typed as an answer as the answer', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, {}));
    await play(chatWith(engine), '> hi\nWhat is your username?\n> logout\nAnd your password?\n> logout\nSigned in as logout.');
    expect(service.to('POST /login')[0]?.json).toEqual({ username: 'logout', password: 'logout' });
  });

  it('asks for the keypad on the phone when the definition validates by number', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const questions = [
      { ask: 'Your account number?', field: 'account' },
      { ask: 'Your PIN, then press pound.', field: 'pin', secret: true },
    ];
    const { engine } = engineFor(signInBot(service, { questions, validation: 'number' }));
    const call = chatWith(engine, { channel: 'phone', conversation: 'CA-keypad' });
    await play(
      call,
      `
      Your account number? Then press the pound key.
      > 10001#
      Your PIN, then press pound.
      > 1815#
      Signed in as 10001.
      (the call ends)
      `,
    );
    expect(service.to('POST /login')[0]?.json).toEqual({ account: '10001', pin: '1815' });
  });
});

describe('authToken: the cached token', () => {
  it('is used without a question in the next conversation, until forgetToken drops it', async () => {
    let issued = 0;
    const service = (await standIn()).on('POST /login', () => ({ json: { token: `tok-${++issued}` } })).on('GET /me', { json: {} });
    const { engine, tokenKey } = engineFor(signInBot(service, {}));
    const chat = chatWith(engine);
    await play(chat, signInTranscript());
    await play(chat, '> hello again\nSigned in as ada.');
    expect(service.to('POST /login')).toHaveLength(1);
    expect(bearers(service)).toEqual(['Bearer tok-1', 'Bearer tok-1']);

    await play(chat, '> logout\nYou are signed out.');
    expect(await raw.exists(tokenKey('acme'))).toBe(0);
    await play(chat, signInTranscript());
    expect(service.to('POST /login')).toHaveLength(2);
    expect(bearers(service).at(-1)).toBe('Bearer tok-2');
  });

  it('belongs to the user on SMS, across conversations', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, {}));
    await play(chatWith(engine, { conversation: 'sms-first' }), signInTranscript());
    await play(chatWith(engine, { conversation: 'sms-second' }), '> hi\nSigned in as ada.');
    // Another user has a token of their own to get.
    await play(chatWith(engine, { user: '+15550100002' }), '> hi\nWhat is your username?');
  });

  it('belongs to the call on the phone by default: a new call asks again', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, {}));
    const call = (id: string) => chatWith(engine, { channel: 'phone', conversation: id });
    await play(
      call('CA-1'),
      `
      What is your username?
      > ada
      And your password?
      > lovelace
      Signed in as ada.
      (the call ends)
      `,
    );
    await play(call('CA-2'), 'What is your username?');
    expect(service.to('POST /login')).toHaveLength(1);
  });

  it('belongs to the user on the phone when the definition says scope "user"', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { scope: 'user' }));
    const call = (id: string) => chatWith(engine, { channel: 'phone', conversation: id });
    await play(call('CA-1'), 'What is your username?\n> ada\nAnd your password?\n> lovelace\nSigned in as ada.\n(the call ends)');
    await play(call('CA-2'), 'Signed in as ada.\n(the call ends)');
  });

  it('with scope "conversation", does not outlive the conversation on SMS', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const { engine } = engineFor(signInBot(service, { scope: 'conversation' }));
    const chat = chatWith(engine);
    await play(chat, signInTranscript());
    // The conversation ended; the next message starts a new one on the same SMS thread.
    await play(chat, '> hi again\nWhat is your username?');
  });
});

describe('authToken: refused tries', () => {
  const refusedRun = (refusal: string) => `
    > hi
    What is your username?
    > ada
    And your password?
    > wrong-1
    ${refusal}
    What is your username?
    > ada
    And your password?
    > wrong-2
    We could not sign you in. Shall I call you back?
  `;
  const notAccepted = "That username and password don't match.";
  const notChecked = "Sorry, I couldn't check your details just now. Let's try again.";

  it.each<[string, StandInAnswer, Record<string, unknown>, string]>([
    ['a 401', { status: 401, json: { error: 'invalid_grant: user ada locked in LDAP cn=ada' } }, {}, notAccepted],
    ['a 500', { status: 500, text: 'java.sql.SQLException at pg-primary.internal:5432' }, {}, notChecked],
    ['a time-out', { hang: true }, { timeout: 0.5 }, notChecked],
    ['a body that is not JSON', { text: '<html>Gateway of AcmeCorp internal</html>' }, {}, notChecked],
    ['no token at the path', { json: { error: 'token service degraded at auth-7.internal' } }, {}, notAccepted],
  ])('tells %s plainly, takes onFailure (the author’s words alone) after maxAttempts and goes on', async (_label, answer, extra, refusal) => {
    const service = (await standIn()).on('POST /login', answer);
    const { engine } = engineFor(signInBot(service, { maxAttempts: 2, invalidMessage: notAccepted, ...extra }));
    const chat = chatWith(engine);
    const said: string[] = [];
    const send = chat.send;
    chat.send = async (text, choice) => {
      const lines = await send(text, choice);
      said.push(...lines);
      return lines;
    };
    await play(chat, refusedRun(refusal));
    await play(chat, '> yes\nNoted.');
    await play(chat, '> hi\nWhat is your username?');

    expect(service.to('POST /login')).toHaveLength(2);
    const everything = said.join('\n');
    for (const internal of ['401', '500', String(service.port), '127.0.0.1', 'http', 'invalid_grant', 'LDAP', 'SQL', 'Gateway', 'internal', 'degraded', 'timeout', 'JSON']) {
      expect(everything).not.toContain(internal);
    }
  });

  it('asks again for digits when the definition validates by number', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok' } }).on('GET /me', { json: {} });
    const questions = [
      { ask: 'Your account number?', field: 'account' },
      { ask: 'Your PIN?', field: 'pin', secret: true },
    ];
    const { engine } = engineFor(signInBot(service, { questions, validation: 'number' }));
    await play(
      chatWith(engine),
      `
      > hi
      Your account number?
      > 10O01
      Please enter digits only.
      Your account number?
      > 10001
      Your PIN?
      > 18 15
      Signed in as 10001.
      `,
    );
    expect(service.to('POST /login')[0]?.json).toEqual({ account: '10001', pin: '1815' });
  });
});
