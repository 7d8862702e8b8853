// A test's stand-ins answer every call the bot makes, through the engine's outbound seam:
// matched on method, address and (with `when`) body and headers, used `times` times, and a
// call none answers fails the test by name. Nothing reaches the network.
import { afterEach, describe, expect, it } from 'vitest';
import { lineOf, loadedBot, playText } from '../support/test-files.js';
import { startStandIn, type StandInService } from '../support/stand-in-service.js';

const services: StandInService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});

function quote(url: string) {
  return loadedBot({
    authTokens: {
      shop: {
        url: `${url}/login`,
        encoding: 'form',
        questions: [
          { ask: 'User?', field: 'user' },
          { ask: 'Pin?', field: 'pin', secret: true },
        ],
        ttl: 600,
        tokenPath: 'token',
        maxAttempts: 2,
      },
    },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'shop', onFailure: 'refused' },
          { type: 'webService', method: 'POST', url: `${url}/quotes?currency=EUR`, body: { item: 'tea', qty: 2 }, save: { price: 'price' }, onError: 'down' },
          { type: 'end', text: 'Price {price}.' },
          { id: 'refused', type: 'end', text: 'Not signed in.' },
          { id: 'down', type: 'end', text: 'Try later.' },
        ],
      },
    },
  });
}

const signIn = [{ user: 'hi' }, { bot: 'User?' }, { user: 'ada' }, { bot: 'Pin?' }, { user: '1234' }];

function file(url: string, services: object[], turns: object[]): string {
  return JSON.stringify({ bot: 'quote.json', services, turns }, null, 1);
}

describe('stand-ins', () => {
  it('answer in place of the service: the real one on the same address never hears of it', async () => {
    const real = await startStandIn();
    services.push(real);
    real.on('POST /login', { json: { token: 'real' } });
    const text = file(real.url, [
      { method: 'POST', url: `${real.url}/login`, when: { form: { user: 'ada', pin: '1234' } }, reply: { json: { token: 't-1' } } },
      { method: 'POST', url: `${real.url}/quotes`, when: { json: { item: 'tea' } }, reply: { json: { price: 4.5 } } },
    ], [...signIn, { bot: 'Price 4.5.' }]);
    expect((await playText(text, quote(real.url)))[0]!.failure).toBeUndefined();
    expect(real.requests).toEqual([]);
  });

  it('fail the test at the turn, naming the call, when no stand-in answers it', async () => {
    const real = await startStandIn();
    services.push(real);
    real.on('POST /quotes', { json: { price: 1 } });
    const text = file(real.url, [{ method: 'POST', url: `${real.url}/login`, reply: { json: { token: 't-1' } } }], [...signIn, { bot: 'Try later.' }]);
    const [result] = await playText(text, quote(real.url));
    // At the user turn whose message caused the call (its `{` is a line above its key).
    expect(result!.failure).toMatchObject({
      line: lineOf(text, '"user": "1234"').line - 1,
      message: `no stand-in answers POST ${real.url}/quotes?currency=EUR: add one to "services" (the call failed as a network error would)`,
    });
    expect(real.requests).toEqual([]);
  });

  it('match on method, address and the query they name, and on `when` as a subset of the body', async () => {
    const url = 'https://shop.example.com';
    const login = { method: 'POST', url: `${url}/login`, reply: { json: { token: 't-1' } } };
    const ok = [...signIn, { bot: 'Price 4.5.' }];
    const price = (extra: object) => ({ method: 'POST', url: `${url}/quotes`, reply: { json: { price: 4.5 } }, ...extra });
    const play = async (quoteStandIn: object) => (await playText(file(url, [login, quoteStandIn], ok), quote(url)))[0]!;
    expect((await play(price({}))).ok).toBe(true);
    expect((await play(price({ url: `${url}/quotes?currency=EUR` }))).ok).toBe(true);
    expect((await play(price({ url: `${url}/quotes?currency=USD` }))).failure?.message).toMatch(/^no stand-in answers POST/);
    expect((await play(price({ method: 'PUT' }))).failure?.message).toMatch(/^no stand-in answers POST/);
    expect((await play(price({ when: { json: { qty: 2 } } }))).ok).toBe(true);
    expect((await play(price({ when: { json: { qty: 3 } } }))).failure?.message).toMatch(/^no stand-in answers POST/);
    expect((await play(price({ when: { headers: { 'Content-Type': 'application/json' } } }))).ok).toBe(true);
  });

  it('are used as often as they match, or `times` times, the first listed first', async () => {
    const url = 'https://shop.example.com';
    const refusedOnce = { method: 'POST', url: `${url}/login`, times: 1, reply: { status: 401 } };
    const accepted = { method: 'POST', url: `${url}/login`, reply: { json: { token: 't-1' } } };
    const price = { method: 'POST', url: `${url}/quotes`, reply: { json: { price: 4.5 } } };
    const text = file(url, [refusedOnce, accepted, price], [
      ...signIn,
      { bot: "Sorry, those details weren't accepted. Let's try again." },
      { bot: 'User?' },
      { user: 'ada' },
      { bot: 'Pin?' },
      { user: '1234' },
      { bot: 'Price 4.5.' },
    ]);
    const [result] = await playText(text, quote(url));
    expect(result!.failure).toBeUndefined();
  });

  it('answer a status, and time out with `timeout`: the bot takes its onFailure and onError ways', async () => {
    const url = 'https://shop.example.com';
    const refused = file(url, [{ method: 'POST', url: `${url}/login`, reply: { status: 403, text: 'no' } }], [
      ...signIn,
      { bot: { contains: 'try again' } },
      { bot: 'User?' },
      { user: 'ada' },
      { bot: 'Pin?' },
      { user: '0000' },
      { bot: 'Not signed in.' },
      { ended: true },
    ]);
    expect((await playText(refused, quote(url)))[0]!.failure).toBeUndefined();
    const slow = file(url, [
      { method: 'POST', url: `${url}/login`, reply: { json: { token: 't-1' } } },
      { method: 'POST', url: `${url}/quotes`, reply: { timeout: true } },
    ], [...signIn, { bot: 'Try later.' }]);
    expect((await playText(slow, quote(url)))[0]!.failure).toBeUndefined();
  });
});

describe('call turns', () => {
  const url = 'https://shop.example.com';
  const standIns = [
    { method: 'POST', url: `${url}/login`, reply: { json: { token: 't-1' } } },
    { method: 'POST', url: `${url}/quotes`, reply: { json: { price: 4.5 } } },
  ];

  it('assert the calls made so far, in order, with a subset of their body', async () => {
    const text = file(url, standIns, [
      ...signIn,
      { call: { method: 'POST', url: `${url}/login`, form: { user: 'ada', pin: '1234' } } },
      { call: { url: `${url}/quotes`, json: { item: 'tea' } } },
      { bot: 'Price 4.5.' },
    ]);
    expect((await playText(text, quote(url)))[0]!.failure).toBeUndefined();
  });

  it('fail with the difference in the body, or the calls that were made instead', async () => {
    const wrongBody = file(url, standIns, [...signIn, { call: { url: `${url}/quotes`, json: { qty: 3 } } }]);
    expect((await playText(wrongBody, quote(url)))[0]!.failure).toMatchObject({
      message: `"qty" in the JSON body of POST ${url}/quotes?currency=EUR is not as expected`,
      expected: '3',
      got: '2',
    });
    const never = file(url, standIns, [{ user: 'hi' }, { call: { method: 'POST', url: `${url}/quotes` } }]);
    expect((await playText(never, quote(url)))[0]!.failure).toMatchObject({ message: 'the bot made no such call', expected: `POST ${url}/quotes`, got: 'no call' });
  });

  it('mask what the engine says to mask when they name a call', async () => {
    const bot = loadedBot({
      scripts: { main: { steps: [{ type: 'webService', url: 'https://api.example.com/x?key={secret.KEY}' }, { type: 'end', text: 'ok' }] } },
    });
    const text = JSON.stringify({ bot: 'b.json', secrets: { KEY: 'k-7f3a9' }, turns: [{ user: 'hi' }, { call: { url: 'https://api.example.com/y' } }] });
    const [result] = await playText(text, bot);
    expect(result!.failure?.message).toBe('no stand-in answers GET https://api.example.com/x?key=***: add one to "services" (the call failed as a network error would)');
    expect(JSON.stringify(result)).not.toContain('k-7f3a9');
  });
});
