// Several accounts per user (accounts: "several"): each sign-in adds one, a step with more than
// one cached asks which, "Another account" signs in to one more, `account` picks by name,
// forgetToken with `account` forgets one, and a 401 drops only the account it was for. A real
// Redis; the auth service and the API are loopback stand-ins.
import { describe, expect, it } from 'vitest';
import { chatWith } from '../support/conversation.js';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';
import type { StandInService } from '../support/stand-in-service.js';

const engineFor = enginesOnRedis('several-accounts');
const standIn = standIns();

/** Logs in anyone whose password is their name reversed; the API says whose token it got. */
function bank(service: StandInService, refused = new Set<string>()) {
  service.on('POST /login', (request) => {
    const { username, password } = request.json as { username: string; password: string };
    return password === [...username].reverse().join('') ? { json: { token: `tok-${username}` } } : { status: 401 };
  });
  service.on('GET /whoami', (request) => {
    const token = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    return refused.has(token) ? { status: 401 } : { json: { name: token.replace(/^tok-/, '') } };
  });
  return service;
}

const bot = (service: StandInService) =>
  botWith({
    authTokens: {
      acme: {
        url: `${service.url}/login`,
        accounts: 'several',
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 600,
        tokenPath: 'token',
      },
    },
    triggers: [
      { keywords: ['add'], script: 'add' },
      { keywords: ['use'], script: 'pick' },
      { keywords: ['drop'], script: 'drop' },
    ],
    steps: [
      { type: 'authToken', token: 'acme' },
      { type: 'webService', url: `${service.url}/whoami`, headers: { authorization: 'Bearer {authtoken}' }, save: { who: 'name' } },
      { type: 'end', text: 'API says {who}; signed in as {account}; known: {accounts.acme}.' },
    ],
    scripts: {
      add: { steps: [{ type: 'authToken', token: 'acme', addAccount: true }, { type: 'end', text: 'Added {account}.' }] },
      pick: { steps: [{ type: 'question', ask: 'Which name?', save: 'wanted' }, { type: 'authToken', token: 'acme', account: '{wanted}' }, { type: 'end', text: 'Using {account}.' }] },
      drop: { steps: [{ type: 'question', ask: 'Forget which?', save: 'gone' }, { type: 'forgetToken', token: 'acme', account: '{gone}' }, { type: 'end', text: 'Forgot {gone}.' }] },
    },
  });

async function signIn(chat: ReturnType<typeof chatWith>, name: string, first: string) {
  expect(await chat.send(first)).toEqual(['Username?']);
  expect(await chat.send(name)).toEqual(['Password?']);
  return chat.send([...name].reverse().join(''));
}

describe('several accounts per user', () => {
  it('adds accounts, asks which one when there are several, and uses the one picked', async () => {
    const service = bank(await standIn());
    const { engine } = engineFor(bot(service), { env: { ALLOW_PRIVATE_NETWORKS: 'true' } });
    const chat = chatWith(engine);
    expect(await signIn(chat, 'ada', 'hi')).toEqual(['API says ada; signed in as ada; known: ada.']);
    expect(await signIn(chat, 'bob', 'add')).toEqual(['Added bob.']);

    // A new conversation with two accounts cached: numbered on SMS, "Another account" last.
    expect(await chat.send('hi')).toEqual(['Which account?', '1. ada', '2. bob', '3. Another account']);
    expect(await chat.send('2')).toEqual(['API says bob; signed in as bob; known: ada, bob.']);

    // "Another account" signs in to a third.
    expect(await chat.send('hi')).toEqual(['Which account?', '1. ada', '2. bob', '3. Another account']);
    expect(await chat.send('3')).toEqual(['Username?']);
    await chat.send('cy');
    expect(await chat.send('yc')).toEqual(['API says cy; signed in as cy; known: ada, bob, cy.']);

    // By name, from a variable.
    expect(await chat.send('use')).toEqual(['Which name?']);
    expect(await chat.send('ada')).toEqual(['Using ada.']);
  });

  it('asks again for an unclear pick, and a named account that is not cached signs in', async () => {
    const service = bank(await standIn());
    const { engine } = engineFor(bot(service), { env: { ALLOW_PRIVATE_NETWORKS: 'true' } });
    const chat = chatWith(engine);
    await signIn(chat, 'ada', 'hi');
    await signIn(chat, 'bob', 'add');
    await chat.send('hi');
    expect(await chat.send('7')).toEqual(['Please pick one of the options.', 'Which account?', '1. ada', '2. bob', '3. Another account']);
    expect(await chat.send('Bob')).toEqual(['API says bob; signed in as bob; known: ada, bob.']);
    expect(await chat.send('use')).toEqual(['Which name?']);
    expect(await chat.send('dee')).toEqual(['Username?']);
  });

  it('forgets one account by name; the other is then used without asking', async () => {
    const service = bank(await standIn());
    const { engine } = engineFor(bot(service), { env: { ALLOW_PRIVATE_NETWORKS: 'true' } });
    const chat = chatWith(engine);
    await signIn(chat, 'ada', 'hi');
    await signIn(chat, 'bob', 'add');
    expect(await chat.send('drop')).toEqual(['Forget which?']);
    expect(await chat.send('ada')).toEqual(['Forgot ada.']);
    expect(await chat.send('hi')).toEqual(['API says bob; signed in as bob; known: bob.']);
  });

  it('drops only the account an API refused', async () => {
    const refused = new Set<string>();
    const service = bank(await standIn(), refused);
    const { engine } = engineFor(bot(service), { env: { ALLOW_PRIVATE_NETWORKS: 'true' } });
    const chat = chatWith(engine);
    await signIn(chat, 'ada', 'hi');
    await signIn(chat, 'bob', 'add');
    refused.add('tok-bob');
    await chat.send('hi');
    // Bob's token is refused: he is asked to sign in again, and Ada's stays.
    expect(await chat.send('2')).toEqual(['Please sign in again.', 'Username?']);
    refused.clear();
    await chat.send('bob');
    expect(await chat.send('bob'.split('').reverse().join(''))).toEqual(['API says bob; signed in as bob; known: ada, bob.']);
    expect(await chat.send('hi')).toEqual(['Which account?', '1. ada', '2. bob', '3. Another account']);
  });
});
