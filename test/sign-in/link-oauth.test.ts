// Sign-in by link, mode oauth, against a real OpenID Provider (oidc-provider on loopback):
// discovery or explicit endpoints, a confidential client (its secret from BOT_SECRET_*) or a
// public one, PKCE and state, scopes and extra parameters, the account from the ID token or
// userinfo. SMS in through /twilio/sms; the provider's pages walked with fetch (the browser
// test walks them in Chromium); the browser's return through /auth/callback and /auth/done.
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { createCipher } from '../../src/stores/cipher.js';
import { botOf } from '../support/conversation.js';
import { backToParley, codeIn, linkIn } from '../support/link-flow.js';
import { confidentialClient, publicClient, signInAtProvider, startOidcProvider, type OidcProvider, type OidcProviderOptions } from '../support/oidc-provider.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const key = Buffer.alloc(32, 9).toString('base64');
const secretEnv = { BOT_SECRET_OP_CLIENT_SECRET: confidentialClient.secret, TOKEN_ENCRYPTION_KEY: key };

async function provider(options: OidcProviderOptions = {}): Promise<OidcProvider> {
  const op = await startOidcProvider(options);
  onTestFinished(() => op.close());
  return op;
}

function oauthBot(op: OidcProvider, definition: Record<string, unknown>): Bot {
  return botOf({
    format: 1,
    id: 'oauth-sign-in',
    name: 'OAuth sign-in',
    start: 'main',
    authTokens: { op: { mode: 'oauth', ...definition } },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'op', onFailure: 'failed' },
          { type: 'webService', url: `${op.apiUrl}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' }, onError: 'api-down' },
          { type: 'end', text: 'Hello {account}, your balance is {balance}.' },
          { id: 'failed', type: 'end', text: 'We could not sign you in.' },
          { id: 'api-down', type: 'end', text: 'The API refused the token.' },
        ],
      },
    },
  });
}

/** Discovery, the confidential client, the offline_access scope (which needs prompt=consent). */
const discovered = (op: OidcProvider) => ({
  issuer: op.issuer,
  clientId: confidentialClient.id,
  clientSecret: '{secret.OP_CLIENT_SECRET}',
  scopes: ['openid', 'email', 'offline_access'],
  params: { prompt: 'consent' },
  accountClaim: 'email',
});

async function appFor(op: OidcProvider, bot: Bot): Promise<TestApp> {
  const app = await startApp(bot, secretEnv, { cipher: createCipher(key) });
  op.ready(`${app.publicUrl}/auth/callback`);
  return app;
}

function smsUser(app: TestApp, user = uniquePhone()) {
  return {
    user,
    async send(text: string): Promise<string[]> {
      const answer = await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: user, Body: text, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}` });
      return twimlTexts(answer.text, 'Message');
    },
  };
}


describe('sign-in by link: OAuth 2 against a real OpenID Provider', () => {
  it('discovers the provider, signs in a confidential client with PKCE and state, and calls the API with the access token', async () => {
    const op = await provider();
    const app = await appFor(op, oauthBot(op, discovered(op)));
    const ada = smsUser(app);

    const first = await ada.send('hi');
    const link = new URL(linkIn(first));
    expect(first[0]).toBe(`Sign in here: ${link.href}`);
    expect(link.origin + link.pathname).toBe(`${op.issuer}/auth`);
    const asked = Object.fromEntries(link.searchParams);
    expect(asked).toMatchObject({
      client_id: confidentialClient.id,
      response_type: 'code',
      redirect_uri: `${app.publicUrl}/auth/callback`,
      scope: 'openid email offline_access',
      prompt: 'consent',
      code_challenge_method: 'S256',
    });
    expect(asked.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The secret goes to the token endpoint only, never in a link.
    expect(link.href).not.toContain(confidentialClient.secret);

    const redirect = await signInAtProvider(link.href, 'ada');
    expect(redirect.searchParams.get('state')).toBe(asked.state);
    const page = await backToParley(app, redirect);
    expect(page.status).toBe(200);
    expect(page.url).toMatch(/\/auth\/done$/);
    const code = codeIn(page.text)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(page.text).not.toContain(redirect.searchParams.get('code')!);
    expect(page.text).not.toContain(asked.state!);

    expect(await ada.send(code)).toEqual(['Hello ada@example.com, your balance is 42.']);
    // The API was shown the access token the provider issued for the code, and nothing else.
    expect(op.issued).toEqual([expect.objectContaining({ grant: 'authorization_code', account: 'ada' })]);
    expect(op.apiSeen).toEqual([{ token: op.issued[0]!.value, status: 200 }]);
    // Discovery, once; the code exchanged at the token endpoint.
    expect(op.requests.filter((r) => r === 'GET /.well-known/openid-configuration')).toHaveLength(1);
    expect(op.requests).toContain('POST /token');

    // Neither the client secret, the access token nor the refresh token is in Redis in clear, or in the log.
    const dump = [...(await app.keys()).entries()].flat().join('\n');
    const log = app.logText();
    for (const secret of [confidentialClient.secret, op.issued[0]!.value, redirect.searchParams.get('code')!, asked.state!]) {
      expect(dump).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  });

  it('asks nothing the next time: the token is cached for the user', async () => {
    const op = await provider();
    const bot = oauthBot(op, discovered(op));
    const app = await appFor(op, bot);
    const ada = smsUser(app);
    const page = await backToParley(app, await signInAtProvider(linkIn(await ada.send('hi')), 'ada'));
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(await ada.send('hi again')).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(op.issued).toHaveLength(1);
    expect(op.apiSeen.map((seen) => seen.token)).toEqual([op.issued[0]!.value, op.issued[0]!.value]);
  });

  it('takes explicit endpoints and a public client (PKCE, no secret); the account from userinfo when the ID token has no such claim', async () => {
    const op = await provider();
    const app = await appFor(
      op,
      oauthBot(op, {
        authorizationUrl: `${op.issuer}/auth`,
        tokenUrl: `${op.issuer}/token`,
        userinfoUrl: `${op.issuer}/me`,
        clientId: publicClient.id,
        scopes: ['openid', 'email'],
        accountClaim: 'email',
      }),
    );
    const ada = smsUser(app);
    const link = new URL(linkIn(await ada.send('hi')));
    expect(link.searchParams.get('client_id')).toBe(publicClient.id);
    expect(link.searchParams.get('code_challenge_method')).toBe('S256');
    const page = await backToParley(app, await signInAtProvider(link.href, 'grace'));
    expect(page.status).toBe(200);
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello grace@example.com, your balance is 42.']);
    // No discovery; the email came from userinfo, since this provider keeps it out of the ID token.
    expect(op.requests).not.toContain('GET /.well-known/openid-configuration');
    expect(op.requests).toContain('GET /me');
  });

  it('reads accountClaim from the verified ID token when it is there, without calling userinfo', async () => {
    const op = await provider({ claimsInIdToken: true });
    const app = await appFor(op, oauthBot(op, { ...discovered(op), clientId: publicClient.id, clientSecret: undefined }));
    const ada = smsUser(app);
    const page = await backToParley(app, await signInAtProvider(linkIn(await ada.send('hi')), 'hedy'));
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello hedy@example.com, your balance is 42.']);
    expect(op.requests.filter((r) => r.startsWith('GET /me'))).toEqual([]);
  });

  it('names the account by `sub` when no accountClaim is given', async () => {
    const op = await provider();
    const app = await appFor(op, oauthBot(op, { issuer: op.issuer, clientId: publicClient.id }));
    const ada = smsUser(app);
    const link = new URL(linkIn(await ada.send('hi')));
    // With discovery and no scopes, "openid".
    expect(link.searchParams.get('scope')).toBe('openid');
    const page = await backToParley(app, await signInAtProvider(link.href, 'ada-sub'));
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada-sub, your balance is 42.']);
  });

  it('shows a plain page when the user declines at the provider, and the link still works after', async () => {
    const op = await provider();
    const app = await appFor(op, oauthBot(op, discovered(op)));
    const ada = smsUser(app);
    const link = linkIn(await ada.send('hi'));
    const declined = await signInAtProvider(link, 'ada', { decline: true });
    expect(declined.searchParams.get('error')).toBe('access_denied');
    const page = await backToParley(app, declined);
    expect(page.status).toBe(400);
    expect(page.text).toContain('Sign-in was not completed');
    expect(op.requests).not.toContain('POST /token');

    const again = await backToParley(app, await signInAtProvider(link, 'ada'));
    expect(again.status).toBe(200);
    expect(await ada.send(codeIn(again.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
  });

  it('refuses a provider code replayed into another link, and a wrong client secret, with plain pages', async () => {
    const op = await provider();
    const app = await appFor(op, oauthBot(op, discovered(op)));
    const ada = smsUser(app);
    const eve = smsUser(app);
    const adaLink = linkIn(await ada.send('hi'));
    const eveLink = new URL(linkIn(await eve.send('hi')));
    // Eve takes the code the provider gave for Ada's link and sends it with her own link's state:
    // the PKCE verifier bound to Eve's link does not match Ada's challenge, and the provider refuses it.
    const adaRedirect = await signInAtProvider(adaLink, 'ada');
    const swapped = new URL(adaRedirect);
    swapped.searchParams.set('state', eveLink.searchParams.get('state')!);
    const refused = await backToParley(app, swapped);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Sign-in was refused');
    // Ada's own return is still good, once.
    const page = await backToParley(app, adaRedirect);
    expect(page.status).toBe(200);
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);

    const wrong = await startOidcProvider();
    onTestFinished(() => wrong.close());
    const badApp = await startApp(oauthBot(wrong, discovered(wrong)), { BOT_SECRET_OP_CLIENT_SECRET: 'not-the-secret' });
    wrong.ready(`${badApp.publicUrl}/auth/callback`);
    const bob = smsUser(badApp);
    const badPage = await backToParley(badApp, await signInAtProvider(linkIn(await bob.send('hi')), 'bob'));
    expect(badPage.status).toBe(400);
    expect(badPage.text).toContain('Sign-in was refused');
    expect(badApp.logText()).not.toContain('not-the-secret');
  });

  it('reaches a provider on loopback only where private networks are allowed, as any call', async () => {
    const op = await provider();
    const app = await startApp(oauthBot(op, discovered(op)), { ...secretEnv, ALLOW_PRIVATE_NETWORKS: 'false' }, { cipher: createCipher(key) });
    op.ready(`${app.publicUrl}/auth/callback`);
    expect(await smsUser(app).send('hi')).toEqual(['We could not sign you in.']);
    expect(op.requests).toEqual([]);
  });

  it('answers any odd return with a plain 400 page, never a 5xx, and changes nothing', async () => {
    const op = await provider();
    const app = await appFor(op, oauthBot(op, discovered(op)));
    const ada = smsUser(app);
    const state = new URL(linkIn(await ada.send('hi'))).searchParams.get('state')!;
    const before = await app.keys();
    for (const query of [
      '',
      '?error=access_denied',
      `?state=${state}&state=${state}&code=x`,
      `?state[a]=${state}&code=x`,
      `?state=${state}%00&code=x`,
      `?state=${'A'.repeat(5000)}&code=x`,
      `?state=${encodeURIComponent('é'.repeat(43))}&code=x`,
      `?code=${'x'.repeat(3000)}`,
    ]) {
      const answer = await fetch(`${app.url}/auth/callback${query}`, { redirect: 'manual' });
      expect([query, answer.status]).toEqual([query, 400]);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await answer.text()).toContain('This sign-in link is not valid');
    }
    expect(await app.keys()).toEqual(before);
    expect(op.requests.filter((r) => r === 'POST /token')).toEqual([]);
    // The real return still works after all that.
    const page = await backToParley(app, await signInAtProvider(linkIn(await ada.send('again')), 'ada'));
    expect(page.status).toBe(200);
  });

  it('tells the user when the provider cannot be reached, and the step takes onFailure', async () => {
    const op = await provider();
    const app = await appFor(op, oauthBot(op, { ...discovered(op), issuer: 'http://127.0.0.1:9/' }));
    const ada = smsUser(app);
    expect(await ada.send('hi')).toEqual(['We could not sign you in.']);
  });
});

describe('OAuth refresh against the real provider: once, silently', () => {
  /** Signs Ada in (with offline_access, so with a refresh token) and makes her first call. */
  async function signedIn(clock?: () => number) {
    const op = await provider();
    const app = await startApp(oauthBot(op, discovered(op)), secretEnv, { cipher: createCipher(key), ...(clock && { clock }) });
    op.ready(`${app.publicUrl}/auth/callback`);
    const ada = smsUser(app);
    const page = await backToParley(app, await signInAtProvider(linkIn(await ada.send('hi')), 'ada'));
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(op.refreshTokens).toHaveLength(1);
    return { op, app, ada };
  }

  it('refreshes an access token past its expires_in before calling the API, and keeps the refresh token sealed', async () => {
    let offset = 0;
    const { op, app, ada } = await signedIn(() => Date.now() + offset);
    // The provider's access tokens live 60 s: a minute later Parley takes this one as expired.
    offset = 61_000;
    expect(await ada.send('hi again')).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(op.issued.map((token) => token.grant)).toEqual(['authorization_code', 'refresh_token']);
    expect(op.apiSeen).toEqual([
      { token: op.issued[0]!.value, status: 200 },
      { token: op.issued[1]!.value, status: 200 },
    ]);
    // Used once: the fresh token serves the next conversation without another refresh.
    expect(await ada.send('and again')).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(op.issued).toHaveLength(2);

    const dump = [...(await app.keys()).entries()].flat().join('\n');
    for (const secret of [...op.refreshTokens, ...op.issued.map((token) => token.value)]) {
      expect(dump).not.toContain(secret);
      expect(app.logText()).not.toContain(secret);
    }
  });

  it('with the provider’s own short lifetime (3 s), never shows the API an expired token', async () => {
    const op = await provider({ accessTokenSeconds: 3 });
    const app = await startApp(oauthBot(op, discovered(op)), secretEnv, { cipher: createCipher(key) });
    op.ready(`${app.publicUrl}/auth/callback`);
    const ada = smsUser(app);
    const page = await backToParley(app, await signInAtProvider(linkIn(await ada.send('hi')), 'ada'));
    expect(await ada.send(codeIn(page.text)!)).toEqual(['Hello ada@example.com, your balance is 42.']);
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    expect(await ada.send('hi again')).toEqual(['Hello ada@example.com, your balance is 42.']);
    // Refreshed before the call (expires_in told Parley when), not after a 401.
    expect(op.issued.map((token) => token.grant)).toContain('refresh_token');
    expect(op.apiSeen.map((seen) => seen.status)).toEqual([200, 200]);
    expect(op.apiSeen[1]!.token).toBe(op.issued.at(-1)!.value);
  });

  it('refreshes once when the API answers 401, and calls it again with the new token', async () => {
    const { op, ada } = await signedIn();
    // The provider revokes the access token: the API refuses it, though Parley thinks it live.
    await op.revoke(op.issued[0]!.value);
    expect(await ada.send('hi again')).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(op.apiSeen).toEqual([
      { token: op.issued[0]!.value, status: 200 },
      { token: op.issued[0]!.value, status: 401 },
      { token: op.issued[1]!.value, status: 200 },
    ]);
    expect(op.issued[1]!.grant).toBe('refresh_token');
  });

  it('asks the user to sign in again when the refresh token is refused too', async () => {
    const { op, ada } = await signedIn();
    await op.revoke(op.issued[0]!.value);
    await op.revoke(op.refreshTokens[0]!);
    const again = await ada.send('hi again');
    expect(linkIn(again)).toMatch(new RegExp(`^${op.issuer}/auth\\?`));
    // One refresh tried, no new access token, and the refused one not tried again.
    expect(op.issued).toHaveLength(1);
    expect(op.apiSeen.map((seen) => seen.status)).toEqual([200, 401]);
  });
});
