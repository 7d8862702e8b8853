// Sign-in by link end to end, as a person does it: the bot sends the link by SMS, headless
// Chromium opens it, signs in on the provider's page (oidc-provider's development login and
// consent) or on the Botize stand-in's login page, lands on Parley's page and reads the code,
// which the test sends as the user's next SMS; the bot then calls the API with the token.
// Screenshots of the pages a person sees are written to test-results/sign-in/ (at 360 px and
// on a desktop); docs/ keeps copies.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { loadBotText } from '../../src/bot/load.js';
import { startDemoServices } from '../../src/demo/demo-services.js';
import { launchBrowser } from '../support/browser.js';
import { botOf } from '../support/conversation.js';
import { standIns } from '../support/engine-on-redis.js';
import { confidentialClient, startOidcProvider } from '../support/oidc-provider.js';
import { botizeToken, linkIn, playBotize } from '../support/link-flow.js';
import { appsOnRedis, fixture, postTwilio, twimlTexts, uniquePhone, type TestApp } from '../server/support.js';

const startApp = appsOnRedis();
const standIn = standIns();
const shots = join(import.meta.dirname, '..', '..', 'test-results', 'sign-in');
const phone = { width: 360, height: 740 };
const desktop = { width: 1280, height: 800 };

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
  await mkdir(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

function smsUser(app: TestApp, user = uniquePhone()) {
  return {
    user,
    async send(text: string): Promise<string[]> {
      const answer = await postTwilio(app, '/twilio/sms', { ...fixture('twilio-sms.form.json'), From: user, Body: text, MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}` });
      return twimlTexts(answer.text, 'Message');
    },
  };
}

/** A phone-sized browser page that records every address it requests. */
async function phonePage(): Promise<{ page: Page; requested: string[] }> {
  const context = await browser.newContext({ viewport: phone, deviceScaleFactor: 1 });
  onTestFinished(() => context.close());
  // The provider's development pages import a web font from Google, which this machine cannot reach.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
  const page = await context.newPage();
  // Well inside the test's own time-out, so a step that hangs says which it was.
  page.setDefaultTimeout(15_000);
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  return { page, requested };
}

/**
 * Checks Parley's signed-in page as the browser has it, and reads its code: the address is
 * /auth/done, and neither it nor the page's source holds the link's state, the provider's
 * code, the service's ticket or the token; the page asked for nothing but itself.
 */
async function readSignedInPage(page: Page, requested: string[], app: TestApp, secrets: string[]): Promise<string> {
  expect(page.url()).toBe(`${app.publicUrl}/auth/done`);
  await expect.poll(() => page.title()).toBe('You are signed in');
  expect(await page.getByRole('heading', { level: 1, name: 'You are signed in', exact: true }).count()).toBe(1);
  const source = await page.content();
  const shown = (await page.locator('p.code').innerText()).replace(/\s/g, '');
  expect(shown).toMatch(/^\d{6}$/);
  expect(source).not.toMatch(/<script|<link|<img|src=|https?:\/\//i);
  expect(source.replace(/\d{3} \d{3}/, '')).not.toMatch(/state|code=|\d{6}/);
  for (const secret of secrets) expect(source).not.toContain(secret);
  // From Parley's callback on, the browser asked Parley for the callback and the page, nothing more.
  const fromCallback = requested.slice(requested.findIndex((url) => url.includes('/auth/callback')));
  expect(fromCallback.map((url) => new URL(url).pathname).filter((path) => path !== '/favicon.ico')).toEqual(['/auth/callback', '/auth/done']);
  return shown;
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(phone);
  await page.screenshot({ path: join(shots, `${name}-360.png`), fullPage: true });
  // Nothing may stick out sideways on a small phone.
  // (Run in the page: the tests compile without the DOM's types.)
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
  await page.setViewportSize(desktop);
  await page.screenshot({ path: join(shots, `${name}-desktop.png`) });
  await page.setViewportSize(phone);
}

describe('sign-in by link in a real browser', { timeout: 60_000 }, () => {
  it('oauth: signs in at the OpenID Provider, shows the code on a clean page, and the bot calls the API with the token', async () => {
    const op = await startOidcProvider();
    onTestFinished(() => op.close());
    const bot: Bot = botOf({
      format: 1,
      id: 'oauth-browser',
      name: 'OAuth in a browser',
      start: 'main',
      authTokens: {
        op: { mode: 'oauth', issuer: op.issuer, clientId: confidentialClient.id, clientSecret: '{secret.OP_CLIENT_SECRET}', scopes: ['openid', 'email'], accountClaim: 'email' },
      },
      scripts: {
        main: {
          steps: [
            { type: 'authToken', token: 'op', onFailure: 'failed' },
            { type: 'webService', url: `${op.apiUrl}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
            { type: 'end', text: 'Hello {account}, your balance is {balance}.' },
            { id: 'failed', type: 'end', text: 'We could not sign you in.' },
          ],
        },
      },
    });
    const app = await startApp(bot, { BOT_SECRET_OP_CLIENT_SECRET: confidentialClient.secret });
    op.ready(`${app.publicUrl}/auth/callback`);
    const ada = smsUser(app);
    const link = linkIn(await ada.send('hi'));

    const { page, requested } = await phonePage();
    await page.goto(link);
    // oidc-provider's development login: any login, any password; then its consent.
    await page.locator('input[name="login"]').fill('ada');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/auth/done');

    const callback = new URL(requested.find((url) => url.includes('/auth/callback'))!);
    const providerCode = callback.searchParams.get('code')!;
    const state = callback.searchParams.get('state')!;
    expect(providerCode).not.toBe('');
    const code = await readSignedInPage(page, requested, app, [providerCode, state, confidentialClient.secret]);
    await screenshot(page, 'oauth-signed-in');

    expect(await ada.send(code)).toEqual(['Hello ada@example.com, your balance is 42.']);
    expect(op.issued).toHaveLength(1);
    expect(op.apiSeen).toEqual([{ token: op.issued[0]!.value, status: 200 }]);
    expect(await page.content()).not.toContain(op.issued[0]!.value);

    // The same return a second time (the browser's back button, a copied address): a plain page, 410.
    const again = await page.goto(callback.href);
    expect(again?.status()).toBe(410);
    expect(await page.getByRole('heading', { level: 1, name: 'This sign-in link was already used', exact: true }).count()).toBe(1);
    expect(page.url()).toBe(callback.href);
    await screenshot(page, 'link-used');
  });

  it('web: signs in on the Botize service’s login page, shows the code, and the bot calls the API with the token', async () => {
    const service = playBotize(await standIn());
    const bot: Bot = botOf({
      format: 1,
      id: 'web-browser',
      name: 'Botize web sign-in in a browser',
      start: 'main',
      authTokens: { bank: { mode: 'web', beginUrl: `${service.url}/begin`, endUrl: `${service.url}/end`, ttl: 600 } },
      scripts: {
        main: {
          steps: [
            { type: 'authToken', token: 'bank', onFailure: 'failed' },
            { type: 'webService', url: `${service.url}/balance`, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
            { type: 'end', text: 'Hello {account}, your balance is {balance}.' },
            { id: 'failed', type: 'end', text: 'We could not sign you in.' },
          ],
        },
      },
    });
    const app = await startApp(bot);
    const ada = smsUser(app);
    const first = await ada.send('hi');
    const link = linkIn(first);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?session=s1$/);

    const { page, requested } = await phonePage();
    await page.goto(link);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill('lovelace');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/auth/done');

    const callback = new URL(requested.find((url) => url.includes('/auth/callback'))!);
    const code = await readSignedInPage(page, requested, app, [callback.searchParams.get('state')!, 'ticket-for-s1', botizeToken]);
    await screenshot(page, 'web-signed-in');

    expect(await ada.send(code)).toEqual(['Hello Ada Lovelace, your balance is 42.']);
    // The API saw the token endUrl gave, as the author's header put it.
    expect(service.to('GET /balance').map((request) => request.headers.authorization)).toEqual([`Bearer ${botizeToken}`]);
  });

  it.each([['oauth-demo.json'], ['web-sign-in.json']])('scripts/%s: the demo provider’s page signs in, in a browser', async (file) => {
    const demo = await startDemoServices();
    onTestFinished(() => demo.close());
    const text = (await readFile(join(import.meta.dirname, '..', '..', 'scripts', file), 'utf8')).replaceAll('127.0.0.1:4010', `127.0.0.1:${demo.port}`);
    const app = await startApp(loadBotText(text, file).bot!);
    const ada = smsUser(app);
    const link = linkIn(await ada.send('hi'));

    const { page, requested } = await phonePage();
    await page.goto(link);
    expect(await page.getByText('not a real service').count()).toBe(1);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('That username and password do not match.');
    if (file === 'oauth-demo.json') await screenshot(page, 'demo-provider');
    await page.getByLabel('Password').fill('lovelace');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/auth/done');
    const code = await readSignedInPage(page, requested, app, []);
    expect(await ada.send(code)).toEqual(['Hi Ada Lovelace, your balance is 1234.56 USD.']);
  });

  it('scripts/oauth-demo.json: “Cancel” on the demo provider’s page comes back as a declined sign-in', async () => {
    const demo = await startDemoServices();
    onTestFinished(() => demo.close());
    const text = (await readFile(join(import.meta.dirname, '..', '..', 'scripts', 'oauth-demo.json'), 'utf8')).replaceAll('127.0.0.1:4010', `127.0.0.1:${demo.port}`);
    const app = await startApp(loadBotText(text, 'oauth-demo.json').bot!);
    const { page } = await phonePage();
    await page.goto(linkIn(await smsUser(app).send('hi')));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL('**/auth/callback?**');
    expect(await page.getByRole('heading', { level: 1, name: 'Sign-in was not completed', exact: true }).count()).toBe(1);
    await screenshot(page, 'declined');
  });
});
