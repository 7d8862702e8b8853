// POST /api/messages with Bot Framework credentials: botbuilder checks the Bot Service's JWT
// against OpenID metadata and keys served here on loopback (its ToBotFromChannel* settings),
// with tokens signed by jose. Every refused token is a 401 with a body of our own, quickly,
// whatever went wrong: a bad token, keys that cannot be fetched, or keys that never come.
import { createServer } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { standIns } from '../support/engine-on-redis.js';
import { botOf } from '../support/conversation.js';
import type { StandInService } from '../support/stand-in-service.js';
import { appsOnRedis, fixture, postJson, type TestApp } from './support.js';

const startApp = appsOnRedis();
const startStandIn = standIns();

const appId = '5e0f7a1c-0000-4000-8000-0000000b0f1d';
const issuer = 'https://api.botframework.com';
const serviceUrl = 'https://facebook.botframework.com/';
const kid = 'bf-key-1';
const authTimeoutMs = 1_000;

const bot = botOf({
  format: 1,
  id: 'bf-auth',
  name: 'bf-auth',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hi {user.channel} user.' },
        { type: 'question', ask: 'Your name?', save: 'name' },
        { type: 'end', text: 'Bye {name}.' },
      ],
    },
  },
});

interface SigningKey {
  jwk: JWK;
  privateKey: CryptoKey;
}

async function signingKey(keyId = kid): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  return { jwk: { ...(await exportJWK(publicKey)), kid: keyId, use: 'sig', kty: 'RSA' }, privateKey };
}

const channelKey = await signingKey();
// An attacker's keys: one under the channel key's kid, one under a kid the keys do not name.
const sameKidKey = await signingKey();
const unknownKidKey = await signingKey('bf-key-unknown');

/** login.botframework.com as botbuilder reads it: the OpenID configuration, then the keys. */
async function openIdService(options: { endorsements?: string[]; jwksUri?: string; keys?: 'hang' } = {}): Promise<StandInService> {
  const service = await startStandIn();
  service.on('GET /v1/.well-known/openidconfiguration', {
    json: { issuer, jwks_uri: options.jwksUri ?? `${service.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] },
  });
  const endorsements = options.endorsements ?? ['facebook', 'webchat', 'msteams'];
  service.on('GET /v1/.well-known/keys', options.keys === 'hang' ? { hang: true } : { json: { keys: [{ ...channelKey.jwk, endorsements }] } });
  return service;
}

/**
 * The settings that point botbuilder at the stand-in. Setting any of its ToBot…/ToChannel…
 * values makes botbuilder drop all its public-cloud defaults, so the rest are given as the
 * public cloud has them; the Emulator's metadata is left unset, which refuses its tokens.
 */
function credentials(openId: StandInService | string): NodeJS.ProcessEnv {
  const base = typeof openId === 'string' ? openId : openId.url;
  return {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: 'app-password-not-used-with-expect-replies',
    ToBotFromChannelOpenIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    ToBotFromChannelTokenIssuer: issuer,
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    CallerId: 'urn:botframework:azure',
  };
}

// The Bot Service names the claim `serviceurl`, in lower case.
async function sign(claims: JWTPayload, options: { key?: SigningKey; expiresIn?: number; header?: Record<string, unknown> } = {}): Promise<string> {
  const key = options.key ?? channelKey;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer, aud: appId, serviceurl: serviceUrl, nbf: now - 10, iat: now - 10, exp: now + (options.expiresIn ?? 600), ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid, typ: 'JWT', ...options.header })
    .sign(key.privateKey);
}

function unsigned(claims: JWTPayload): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', kid, typ: 'JWT' })}.${part({ iss: issuer, aud: appId, serviceurl: serviceUrl, nbf: now - 10, exp: now + 600, ...claims })}.`;
}

function messengerActivity(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const unique = Math.random().toString(36).slice(2, 10);
  const base = fixture<Record<string, unknown> & { id: string; conversation: { id: string } }>('botframework-facebook-message.json');
  return { ...base, id: `${base.id}-${unique}`, conversation: { id: `${base.conversation.id}-${unique}` }, deliveryMode: 'expectReplies', ...changes };
}

async function post(app: TestApp, activity: Record<string, unknown>, token: string | undefined) {
  const started = performance.now();
  const answer = await postJson(`${app.url}/api/messages`, activity, token === undefined ? {} : { authorization: `Bearer ${token}` });
  return { ...answer, ms: performance.now() - started };
}

/** A loopback port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// In the caller's claims: the answer and the log must never repeat it.
const marker = 'claim-marker-5521';

async function expectRefused(app: TestApp, answer: Awaited<ReturnType<typeof post>>) {
  expect(answer.status).toBe(401);
  expect(answer.text).toBe('unauthorized');
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(answer.ms).toBeLessThan(authTimeoutMs + 1_000);
  expect(answer.text + app.logText()).not.toContain(marker);
  expect(app.logText()).not.toMatch(/signature|expired|endorse|Unauthorized\.|ECONNREFUSED|openID/);
  expect(await app.keys()).toEqual(new Map());
}

describe('POST /api/messages with Bot Framework credentials', () => {
  it('runs the turn of a token signed by the Bot Service, as a Bot Framework user', async () => {
    const openId = await openIdService();
    const app = await startApp(bot, credentials(openId), { botFrameworkAuthTimeoutMs: authTimeoutMs });
    const answer = await post(app, messengerActivity(), await sign({}));
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as { activities: Array<{ text: string }> }).activities.map((a) => a.text)).toEqual(['Hi messenger user.', 'Your name?']);
    expect([...(await app.keys()).keys()].some((key) => key.includes('botframework:facebook:'))).toBe(true);
  });

  const refused: Array<[string, () => Promise<{ token?: string; activity?: Record<string, unknown> }>]> = [
    ['no token', async () => ({})],
    ['a token that is not a JWT', async () => ({ token: `${marker}.x.y` })],
    ['an expired token', async () => ({ token: await sign({ sub: marker }, { expiresIn: -3600 }) })],
    ['a token for another bot', async () => ({ token: await sign({ aud: marker }) })],
    ['a token of another issuer', async () => ({ token: await sign({ iss: `https://${marker}.example.com` }) })],
    ['a token signed with another key under the same kid', async () => ({ token: await sign({ sub: marker }, { key: sameKidKey }) })],
    ['a token signed with an unknown kid', async () => ({ token: await sign({ sub: marker }, { key: unknownKidKey }) })],
    ['an unsigned token (alg none)', async () => ({ token: unsigned({ sub: marker }) })],
    ['a token whose serviceUrl is not the activity\'s', async () => ({ token: await sign({ serviceurl: `https://${marker}.example.com/` }) })],
    ['a token of a channel its key is not endorsed for', async () => ({ token: await sign({}), activity: messengerActivity({ channelId: 'slack' }) })],
    ['a token of the Emulator, whose keys are not configured', async () => ({ token: await sign({ iss: 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/', ver: '1.0', appid: appId }) })],
  ];

  it.each(refused)('refuses %s with 401 and a body of its own', async (_name, make) => {
    const openId = await openIdService();
    const app = await startApp(bot, credentials(openId), { botFrameworkAuthTimeoutMs: authTimeoutMs });
    const { token, activity } = await make();
    await expectRefused(app, await post(app, activity ?? messengerActivity(), token));
  });

  it('refuses with 401 when the OpenID metadata cannot be fetched', async () => {
    const app = await startApp(bot, credentials(`http://127.0.0.1:${await closedPort()}`), { botFrameworkAuthTimeoutMs: authTimeoutMs });
    await expectRefused(app, await post(app, messengerActivity(), await sign({ sub: marker })));
  });

  it('refuses with 401 when the keys cannot be fetched', async () => {
    const openId = await openIdService({ jwksUri: `http://127.0.0.1:${await closedPort()}/keys` });
    const app = await startApp(bot, credentials(openId), { botFrameworkAuthTimeoutMs: authTimeoutMs });
    await expectRefused(app, await post(app, messengerActivity(), await sign({ sub: marker })));
  });

  it('refuses with 401 at the time-out when the key endpoint never answers, and serves again once it does', async () => {
    const openId = await openIdService({ keys: 'hang' });
    const app = await startApp(bot, credentials(openId), { botFrameworkAuthTimeoutMs: authTimeoutMs });
    const answer = await post(app, messengerActivity(), await sign({ sub: marker }));
    await expectRefused(app, answer);
    expect(answer.ms).toBeGreaterThanOrEqual(authTimeoutMs - 50);
    expect(app.logText()).toContain('timed out');

    openId.on('GET /v1/.well-known/keys', { json: { keys: [{ ...channelKey.jwk, endorsements: ['facebook'] }] } });
    expect((await post(app, messengerActivity(), await sign({}))).status).toBe(200);
  });
});
