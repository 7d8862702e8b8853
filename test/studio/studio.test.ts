// `parley studio` in headless Chromium: the page a script author opens, driven as they would
// (keyboard, keypad, links), found by the accessible names the spec fixes (textbox "Message",
// button "Send", role="log" with data-from, combobox "Channel", table "Variables", list
// "Problems", svg "Flow" with data-step and aria-current="step"). The bots are temporary
// copies of the example bots, calling the demo services on a port of their own; the studio
// runs on the engine production runs, the memory store, and real HTTP.
//
// Screenshots go to a temporary folder; with PARLEY_SCREENSHOTS=docs they replace
// docs/studio-desktop.png and docs/studio-360.png.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServices, type DemoServices } from '../../src/demo/demo-services.js';
import { startStudio, type RunningStudio, type StudioOptions } from '../../src/studio/start-studio.js';
import { launchBrowser } from '../support/browser.js';
import { startStandIn } from '../support/stand-in-service.js';
import { stopChild } from '../support/stop-child.js';

const root = join(import.meta.dirname, '..', '..');
const shots = process.env.PARLEY_SCREENSHOTS === 'docs' ? join(root, 'docs') : mkdtempSync(join(tmpdir(), 'parley-studio-shots-'));

let browser: Browser;
let demo: DemoServices;
const running: RunningStudio[] = [];

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoServices(0)]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((studio) => studio.close()));
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** A copy of an example bot in a folder of its own, calling the demo services this test started. */
function copyOf(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-studio-'));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, readFileSync(join(root, 'scripts', `${name}.json`), 'utf8').replaceAll('127.0.0.1:4010', `127.0.0.1:${demo.port}`));
  copyFileSync(join(root, 'scripts', 'bot.schema.json'), join(dir, 'bot.schema.json'));
  return file;
}

async function studio(options: StudioOptions): Promise<RunningStudio> {
  const started = await startStudio({ port: 0, ...options });
  running.push(started);
  return started;
}

interface Opened {
  page: Page;
  /** Every address the page asked for: it must need nothing from outside. */
  requested: string[];
  errors: string[];
}

async function open(url: string, width = 1440, height = 900): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width, height } });
  const requested: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { page, requested, errors };
}

const log = (page: Page) => page.getByRole('log');
const message = (page: Page) => page.getByRole('textbox', { name: 'Message' });

/** Types as a person would, with the focus where the page left it, and sends with Enter. */
async function type(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function botSays(page: Page, text: string | RegExp): Promise<void> {
  await log(page).locator('[data-from="bot"]').filter({ hasText: text }).last().waitFor({ timeout: 10_000 });
}

async function userLines(page: Page): Promise<string[]> {
  return log(page).locator('[data-from="user"]').allTextContents();
}

const flowNode = (page: Page, step: string) => page.getByRole('img', { name: 'Flow' }).locator(`[data-step="${step}"]`);

/** The step marked current in the flow, once it is `step` (or none, for undefined). */
async function currentStep(page: Page, step: string | undefined): Promise<string | undefined> {
  if (step === undefined) await page.waitForFunction(`document.querySelector('svg[aria-label="Flow"] [aria-current="step"]') === null`, undefined, { timeout: 10_000 });
  else await page.locator(`svg[aria-label="Flow"] [data-step="${step}"][aria-current="step"]`).waitFor({ timeout: 10_000 });
  const marked = page.locator('svg[aria-label="Flow"] [aria-current="step"]');
  expect(await marked.count()).toBe(step === undefined ? 0 : 1);
  return step === undefined ? undefined : ((await marked.getAttribute('data-step')) ?? undefined);
}

async function focused(page: Page): Promise<string | null> {
  return page.evaluate<string | null>(`document.activeElement && document.activeElement.getAttribute('aria-label')`);
}

/** Whether the message box hides what is typed (a secret answer). */
async function hidesTyping(page: Page): Promise<boolean> {
  return (await page.evaluate<string>(`getComputedStyle(document.getElementById('message')).getPropertyValue('-webkit-text-security')`)) === 'disc';
}

async function stateText(studio: RunningStudio): Promise<string> {
  return (await fetch(`${studio.url}/api/state`)).text();
}

// A page, a studio and a few turns each: slower than a unit test on a busy machine.
describe('parley studio in Chromium', { timeout: 60_000 }, () => {
  it('plays the demo bot’s sign-in on SMS: the flow follows, the password is never shown, the calls and variables are listed', async () => {
    const bot = copyOf('demo');
    const s = await studio({ botPath: bot });
    const { page, requested, errors } = await open(s.url);

    // It shows in under a second, with nothing from outside.
    const loaded = await page.evaluate<number>(`performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd`);
    expect(loaded).toBeLessThan(1000);
    expect(await page.getByRole('combobox', { name: 'Channel' }).inputValue()).toBe('sms');
    expect(await flowNode(page, 'main#1').count()).toBe(1);
    expect(await flowNode(page, 'main#1').locator('title').textContent()).toContain(`${bot}:29:9`);
    await currentStep(page, undefined);
    expect(await focused(page)).toBe('Message');

    await type(page, 'hi');
    await botSays(page, 'What is your username?');
    expect(await log(page).locator('[data-from="bot"]').allTextContents()).toEqual(['Welcome to ACME Bank.', 'What is your username?']);
    expect(await currentStep(page, 'main#1')).toBe('main#1');
    expect(await focused(page)).toBe('Message');

    await type(page, 'ada');
    await botSays(page, 'And your password?');
    expect(await currentStep(page, 'main#1')).toBe('main#1');
    // The box hides what is typed for a secret answer; the sign-in's progress shows without it.
    expect(await hidesTyping(page)).toBe(true);
    await page.getByText('username: ada').waitFor();
    // A phone-sized page on the same studio shows the same conversation, and fits its width.
    const narrow = await open(s.url, 360, 780);
    await narrow.page.getByText('username: ada').waitFor();
    expect(await log(narrow.page).locator('[data-from="bot"]').last().textContent()).toBe('And your password?');
    expect(await narrow.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await narrow.page.screenshot({ path: join(shots, 'studio-360.png'), fullPage: true });
    await narrow.page.close();

    await type(page, 'lovelace');
    await botSays(page, 'Hi Ada Lovelace, your balance is 1234.56 USD.');
    await currentStep(page, undefined);
    expect(await userLines(page)).toEqual(['hi', 'ada', '••••••']);
    expect(await hidesTyping(page)).toBe(false);

    const variables = page.getByRole('table', { name: 'Variables' });
    await variables.getByRole('row', { name: /balance 1234\.56/ }).waitFor();
    expect(await variables.getByRole('row', { name: /currency USD/ }).count()).toBe(1);
    const calls = page.getByRole('table', { name: 'Calls' });
    expect(await calls.getByRole('row', { name: new RegExp(`POST http://127\\.0\\.0\\.1:${demo.port}/login sign-in "acme-login" 200`) }).count()).toBe(1);
    expect(await calls.getByRole('row', { name: new RegExp(`GET http://127\\.0\\.0\\.1:${demo.port}/balance webService step main#2 200`) }).count()).toBe(1);
    await page.getByText('acme-login: Ada Lovelace').waitFor();

    // The password and the token reach neither the page nor what the studio sends it.
    for (const text of [await page.content(), await stateText(s)]) {
      expect(text).not.toContain('lovelace');
      expect(text).not.toMatch(/demo_[0-9a-f]{24}/);
    }
    expect(requested.every((url) => url.startsWith(s.url) || url.startsWith('data:'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plays the phone bot’s keypad sign-in: speech shown, keys sent with #, the PIN masked, the flow at the menu', async () => {
    const s = await studio({ botPath: copyOf('phone-bank') });
    const { page, errors } = await open(s.url);
    await page.getByRole('combobox', { name: 'Channel' }).selectOption('phone');
    // The call connects and the bot speaks first.
    await botSays(page, 'Please enter your account number. Then press the pound key.');
    expect(await log(page).locator('[data-from="bot"]').first().textContent()).toBe('Welcome to ACME Bank telephone banking.');
    expect(await log(page).locator('[data-from="bot"].speech').count()).toBe(2);
    expect(await currentStep(page, 'main#1')).toBe('main#1');

    const keypad = page.getByRole('group', { name: 'Keypad' });
    const press = async (keys: string) => {
      for (const key of keys) await keypad.getByRole('button', { name: key, exact: true }).click();
    };
    await press('10001#');
    await botSays(page, 'Now enter your PIN. Then press the pound key.');
    expect(await currentStep(page, 'main#1')).toBe('main#1');
    await press('1815#');
    await botSays(page, 'What would you like to do? Press 1 for Hear your balance. Press 2 for Send money. Press 3 for Sign out.');
    expect(await currentStep(page, 'main#2')).toBe('main#2');
    expect(await userLines(page)).toEqual(['10001#', '••••••']);

    // A menu takes one key: it goes without #.
    await press('1');
    await botSays(page, 'Ada Lovelace, your balance is 1234.56 dollars.');
    expect(await currentStep(page, 'main#2')).toBe('main#2');
    // The steps the turn ran are marked on the way.
    expect(await flowNode(page, 'main#3').getAttribute('class')).toContain('visited');
    await page.getByText('acme-pin: Ada Lovelace').waitFor();
    expect(await focused(page)).toBe('Message');
    await page.screenshot({ path: join(shots, 'studio-desktop.png') });

    for (const text of [await page.content(), await stateText(s)]) expect(text).not.toContain('1815');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reloads the file on save: a broken file shows its problems and keeps the last good bot; the fix keeps the conversation’s place', async () => {
    const bot = copyOf('phone-bank');
    const good = readFileSync(bot, 'utf8');
    const s = await studio({ botPath: bot, channel: 'phone' });
    const { page, errors } = await open(s.url);
    const keypad = page.getByRole('group', { name: 'Keypad' });
    const press = async (keys: string) => {
      for (const key of keys) await keypad.getByRole('button', { name: key, exact: true }).click();
    };
    await botSays(page, 'Please enter your account number. Then press the pound key.');
    await press('10001#');
    await botSays(page, 'Now enter your PIN. Then press the pound key.');
    await press('1815#');
    await currentStep(page, 'main#2');
    const problems = page.getByRole('list', { name: 'Problems' });
    expect(await problems.getByRole('listitem').count()).toBe(0);

    // A save that breaks the file: its problems, each FILE:LINE:COL and what to do.
    writeFileSync(bot, good.replace('{ "type": "goto", "step": "menu" }', '{ "type": "goto", "step": "meny" }'));
    await problems.getByRole('listitem').first().waitFor({ timeout: 10_000 });
    const listed = await problems.getByRole('listitem').allTextContents();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatch(new RegExp(`^${bot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ .*"meny"`));
    await page.getByRole('status').filter({ hasText: 'does not load' }).waitFor();
    // The conversation goes on with the last good version.
    await press('1');
    await botSays(page, 'Ada Lovelace, your balance is 1234.56 dollars.');
    expect(await currentStep(page, 'main#2')).toBe('main#2');

    // The fix, saved as editors do (a new file renamed over the old), adds a step before the
    // menu: the conversation is found at the menu's new place, by its id.
    const fixed = good.replace('"steps": [\n        { "type": "message", "text": "Welcome to ACME Bank."', '"steps": [\n        { "type": "set", "vars": { "greeted": "yes" } },\n        { "type": "message", "text": "Welcome to ACME Bank."');
    expect(fixed).not.toBe(good);
    writeFileSync(`${bot}.tmp`, fixed);
    renameSync(`${bot}.tmp`, bot);
    await page.getByRole('img', { name: 'Flow' }).locator('[data-step="main#17"]').waitFor({ timeout: 10_000 });
    expect(await problems.getByRole('listitem').count()).toBe(0);
    expect(await page.getByRole('status').isHidden()).toBe(true);
    await log(page).getByText('the conversation keeps its place at main#3 (found by its id)').waitFor();
    expect(await currentStep(page, 'main#3')).toBe('main#3');
    await press('1');
    await botSays(page, /^Ada Lovelace, your balance is/);
    expect(await currentStep(page, 'main#3')).toBe('main#3');

    // A file that is not JSON any more: where the syntax breaks.
    writeFileSync(bot, fixed.replace('"start": "main",', '"start": "main"'));
    await problems.getByRole('listitem').first().waitFor({ timeout: 10_000 });
    expect((await problems.getByRole('listitem').first().textContent()) ?? '').toMatch(/phone-bank\.json:\d+:\d+ /);
    // Clicking the place shows that line of the file.
    await problems.getByRole('listitem').first().getByRole('button').click();
    await page.locator('#source .line.here').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('signs in by link in a new tab, through the studio’s own /auth/callback, and the conversation goes on by itself', async () => {
    const service = await startStandIn();
    let callback = '';
    service.on('POST /begin', (request) => {
      callback = String((request.json as { callback_url: string }).callback_url);
      return { json: { auth_url: `${service.url}/login?session=s1`, temp_data_to_save: { session: 's1' } } };
    });
    // The service's own sign-in page: it sends the browser back to Parley with its ticket.
    service.on('GET /login', () => ({ status: 302, headers: { location: `${callback}&ticket=ticket-for-s1` } }));
    service.on('POST /end', (request) => {
      const body = request.json as { service_data: Record<string, string> };
      return { json: body.service_data.ticket === 'ticket-for-s1' ? { valid_credentials: 'true', user_id: 'ada@example.com', auth_data_to_save: 'tok-web-1' } : { valid_credentials: false } };
    });
    service.on('GET /balance', (request) => (request.headers.authorization === 'Bearer tok-web-1' ? { json: { balance: 42 } } : { status: 401 }));
    const dir = mkdtempSync(join(tmpdir(), 'parley-studio-'));
    const bot = join(dir, 'web.json');
    writeFileSync(
      bot,
      JSON.stringify({
        format: 1,
        id: 'web-sign-in',
        name: 'Web sign-in',
        start: 'main',
        authTokens: { bank: { mode: 'web', beginUrl: `${service.url}/begin`, endUrl: `${service.url}/end`, verifyCode: false, ttl: 600 } },
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
      }),
    );
    try {
      const s = await studio({ botPath: bot });
      const { page, errors } = await open(s.url);
      await type(page, 'hi');
      await botSays(page, /^Sign in here: /);
      expect(callback.startsWith(`${s.url}/auth/callback?state=`)).toBe(true);
      const link = log(page).getByRole('link', { name: `${service.url}/login?session=s1` });
      expect(await link.getAttribute('target')).toBe('_blank');
      await page.getByText('a sign-in link was sent').waitFor();
      const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
      await tab.getByRole('heading', { name: 'You are signed in' }).waitFor();
      expect(tab.url()).toBe(`${s.url}/auth/done`);
      // Back in the studio, the conversation went on without a message.
      await botSays(page, 'Hello ada@example.com, your balance is 42.');
      await currentStep(page, undefined);
      expect(await stateText(s)).not.toContain('tok-web-1');
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await service.close();
    }
  });

  it('with --tests, plays against a test file’s stand-ins instead of the real services', async () => {
    const s = await studio({ botPath: join('scripts', 'demo.json'), tests: join('scripts', 'tests') });
    const { page } = await open(s.url);
    const services = page.getByRole('combobox', { name: 'Services' });
    const offered = await services.locator('option').allTextContents();
    expect(offered[0]).toBe('The real services the bot names');
    expect(offered).toContain(`Stand-ins of ${join('scripts', 'tests', 'demo.test.json')} · signs in, then tells the balance`);
    await services.selectOption({ label: `Stand-ins of ${join('scripts', 'tests', 'demo.test.json')} · signs in, then tells the balance` });
    await log(page).getByText('A new conversation on SMS').waitFor();
    await message(page).focus();
    for (const text of ['hi', 'ada', 'lovelace']) await type(page, text);
    await botSays(page, 'Hi Ada Lovelace, your balance is 1234.56 USD.');
    const calls = page.getByRole('table', { name: 'Calls' });
    expect(await calls.getByRole('row', { name: /POST http:\/\/127\.0\.0\.1:4010\/login .* 200/ }).count()).toBe(1);
    expect(await calls.getByRole('row', { name: /GET http:\/\/127\.0\.0\.1:4010\/balance .* 200/ }).count()).toBe(1);
    await page.close();
  });

  it('shows buttons for choices on WhatsApp, and withholds sign-in by questions on web chat', async () => {
    const s = await studio({ botPath: copyOf('phone-bank'), channel: 'whatsapp' });
    const { page } = await open(s.url);
    await type(page, 'hi');
    await botSays(page, 'Please enter your account number.');
    await type(page, '10001');
    await botSays(page, 'Now enter your PIN.');
    await type(page, '1815');
    await botSays(page, 'What would you like to do?');
    const choices = page.getByRole('group', { name: 'Choices' });
    expect(await choices.getByRole('button').allTextContents()).toEqual(['Hear your balance', 'Send money', 'Sign out']);
    await choices.getByRole('button', { name: 'Hear your balance' }).click();
    await botSays(page, 'Ada Lovelace, your balance is 1234.56 dollars.');
    expect(await focused(page)).toBe('Message');

    await page.getByRole('combobox', { name: 'Channel' }).selectOption('web');
    await log(page).getByText('A new conversation on Web chat').waitFor();
    await message(page).focus();
    await type(page, 'hi');
    await botSays(page, 'Welcome to ACME Bank.');
    await log(page).locator('[data-from="bot"]').nth(1).waitFor();
    expect(await log(page).locator('[data-from="bot"]').nth(1).textContent()).not.toMatch(/account number/);
    await page.close();
  });
});

describe('parley studio answers only its own page', () => {
  function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  }

  it('refuses another Host, another origin and what is not JSON, and listens on 127.0.0.1 only', async () => {
    const s = await studio({ botPath: copyOf('demo') });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(s.url).port;
    expect(await raw(`${s.url}/api/state`, { headers: { host: 'attacker.example' } })).toBe(421);
    expect(await raw(`${s.url}/api/state`, { headers: { host: `localhost:${port}` } })).toBe(200);
    const post = { method: 'POST', body: JSON.stringify({ text: 'hi' }) };
    expect(await raw(`${s.url}/api/message`, { ...post, headers: { 'content-type': 'application/json', origin: 'http://attacker.example' } })).toBe(403);
    expect(await raw(`${s.url}/api/message`, { ...post, headers: { 'content-type': 'text/plain' } })).toBe(415);
    expect(await raw(`${s.url}/api/message`, { method: 'POST', body: '{"text": 5}', headers: { 'content-type': 'application/json' } })).toBe(400);
    expect(await raw(`${s.url}/api/message`, { ...post, headers: { 'content-type': 'application/json', origin: s.url } })).toBe(204);
    expect(await stateText(s)).toContain('Welcome to ACME Bank.');
  });
});

describe('parley studio without a page', { timeout: 60_000 }, () => {
  async function until<T>(read: () => T | undefined, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = read();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`never: ${what}`);
  }

  it('starts the conversation over when a reload leaves its step waiting for something else, and says why', async () => {
    const bot = copyOf('demo');
    const good = readFileSync(bot, 'utf8');
    const s = await studio({ botPath: bot });
    await s.workbench.send('hi');
    await s.workbench.send('ada');
    expect(s.workbench.snapshot().at?.step).toBe('main#1');
    // The sign-in step has no id, and a message now stands at its position.
    writeFileSync(bot, good.replace('{ "type": "message", "text": "Welcome to ACME Bank." },', '{ "type": "message", "text": "Welcome to ACME Bank." },\n        { "type": "message", "text": "Good morning." },'));
    const note = await until(() => s.workbench.snapshot().transcript.find((entry) => entry.from === 'note' && entry.text.includes('starts over'))?.text, 'the note');
    expect(note).toBe(`Reloaded ${bot}: the step at main#1 no longer waits for what the conversation waits for, so the conversation starts over.`);
    expect(s.workbench.snapshot().at).toBeUndefined();
    expect(s.workbench.snapshot().prompt).toBeUndefined();
    // The next message is a new conversation on the new version.
    await s.workbench.send('hi');
    expect(s.workbench.snapshot().transcript.filter((entry) => entry.from === 'bot').slice(-3).map((entry) => entry.text)).toEqual(['Welcome to ACME Bank.', 'Good morning.', 'What is your username?']);
    expect(s.workbench.snapshot().at?.step).toBe('main#2');
  });

  it('lists calls with the tokens in their URLs masked, and keeps tokens and passwords out of everything it sends the page', async () => {
    const bot = copyOf('demo');
    writeFileSync(bot, readFileSync(bot, 'utf8').replace(`"url": "http://127.0.0.1:${demo.port}/balance",`, `"url": "http://127.0.0.1:${demo.port}/balance?access={authtoken}",`));
    const s = await studio({ botPath: bot });
    for (const text of ['hi', 'ada', 'lovelace']) await s.workbench.send(text);
    const { calls, transcript } = s.workbench.snapshot();
    expect(transcript.at(-2)?.text).toBe('Hi Ada Lovelace, your balance is 1234.56 USD.');
    expect(calls.map((call) => `${call.method} ${call.url} ${call.outcome}`)).toEqual([`POST http://127.0.0.1:${demo.port}/login 200`, `GET http://127.0.0.1:${demo.port}/balance?access=*** 200`]);
    const sent = await stateText(s);
    expect(sent).not.toMatch(/demo_[0-9a-f]{24}/);
    expect(sent).not.toContain('lovelace');
  });

  it('runs from the command line, and says what is wrong with a file it cannot read', async () => {
    const missing = spawn(process.execPath, [join(root, 'bin', 'parley.js'), 'studio', 'no-such-bot.json', '--port', '0'], { cwd: root });
    let stderr = '';
    missing.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => missing.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('no-such-bot.json:1:1: there is no such file: check the path');
    expect(stderr).not.toMatch(/\n\s+at /);

    const child = spawn(process.execPath, [join(root, 'bin', 'parley.js'), 'studio', copyOf('demo'), '--port', '0', '--quiet'], { cwd: root });
    try {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const url = await until(() => /Parley Studio: (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout)?.[1], 'the address printed');
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await page.text()).toContain('aria-label="Flow"');
    } finally {
      await stopChild(child);
    }
  });
});
