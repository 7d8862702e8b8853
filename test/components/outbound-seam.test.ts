// Every outbound call passes the engine's `outbound` with what to mask: the console, the studio
// and recorded tests show calls through it, so a value it does not name would leak there.
import { describe, expect, it } from 'vitest';
import { networkOutbound, maskValues, type Outbound, type OutboundPurpose } from '../../src/http/outbound.js';
import type { HttpRequest } from '../../src/http/client.js';
import { chatWith } from '../support/conversation.js';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';

const engineFor = enginesOnRedis('outbound-seam');
const standIn = standIns();

describe('the outbound seam', () => {
  it('sees the sign-in and the web call, with the password, the secret and the token to mask', async () => {
    const service = await standIn();
    service.on('POST /login', () => ({ json: { token: 'tok-77' } }));
    service.on('GET /balance', () => ({ json: { balance: 3 } }));
    const seen: Array<{ request: HttpRequest; purpose: OutboundPurpose }> = [];
    const network = networkOutbound({ allowPrivate: true });
    const observing: Outbound = (request, purpose) => {
      seen.push({ request, purpose });
      return network(request, purpose);
    };
    const bot = botWith({
      authTokens: {
        acme: {
          url: `${service.url}/login`,
          headers: { 'x-api-key': '{secret.KEY}' },
          questions: [
            { ask: 'Username?', field: 'username' },
            { ask: 'Password?', field: 'password', secret: true },
          ],
          ttl: 600,
          tokenPath: 'token',
        },
      },
      steps: [
        { type: 'authToken', token: 'acme' },
        { type: 'webService', url: `${service.url}/balance?t={authtoken}`, save: { balance: 'balance' } },
        { type: 'end', text: 'Balance {balance}.' },
      ],
    });
    const { engine } = engineFor(bot, { env: { ALLOW_PRIVATE_NETWORKS: 'true', BOT_SECRET_KEY: 'k-secret-9' }, outbound: observing });
    const chat = chatWith(engine);
    await chat.send('hi');
    await chat.send('ada');
    expect(await chat.send('pw-lovelace')).toEqual(['Balance 3.']);

    expect(seen.map((s) => s.purpose.kind)).toEqual(['sign-in', 'web-service']);
    const [signIn, web] = seen;
    expect(signIn?.purpose).toMatchObject({ definition: 'acme' });
    expect(signIn?.purpose.masked).toEqual(expect.arrayContaining(['pw-lovelace', 'k-secret-9']));
    expect(signIn?.purpose.masked).not.toContain('ada');
    expect(web?.purpose).toMatchObject({ definition: 'acme', step: 'main#1' });
    expect(web?.purpose.masked).toContain('tok-77');
    expect(maskValues(web!.request.url, web!.purpose.masked)).toBe(`${service.url}/balance?t=***`);
  });
});

describe('maskValues', () => {
  it('masks the longest value first, and its URL encoding', () => {
    expect(maskValues('a=p%40ss&b=p@ss&c=p', ['p', 'p@ss'])).toBe('a=***&b=***&c=***');
  });
  it('ignores empty values', () => {
    expect(maskValues('abc', [''])).toBe('abc');
  });
});
