// scripts/email-reviews.json played through, against the demo services playing the
// Bazaarvoice-style confirm service: in an engine with the console's mail printer, and in
// `parley chat` itself, where the mail is printed because no SMTP_URL is set.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { chatMailer } from '../../src/cli/chat-mailer.js';
import { createEngine } from '../../src/create-engine.js';
import { startDemoServices, type DemoServices } from '../../src/demo/demo-services.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { chatWith, play } from '../support/conversation.js';

const root = join(import.meta.dirname, '..', '..');
const path = join(root, 'scripts', 'email-reviews.json');

let services: DemoServices;
beforeAll(async () => {
  services = await startDemoServices();
});
afterAll(async () => {
  await services.close();
});

describe('scripts/email-reviews.json', () => {
  it('signs in by a mailed link, calls the API with the user token, and asks nothing the next time', async () => {
    const text = (await readFile(path, 'utf8')).replaceAll('127.0.0.1:4010', `127.0.0.1:${services.port}`);
    const { bot, problems } = loadBotText(text, path, { canMail: true });
    expect(problems).toEqual([]);
    const printed: string[] = [];
    const engine = createEngine({ bot: bot!, store: createMemoryStore(), allowPrivateNetworks: true, mailer: chatMailer({ smtpUrl: undefined }, (line) => void printed.push(line)) });
    const chat = chatWith(engine, { channel: 'whatsapp' });
    await play(
      chat,
      `
      > hi
      Welcome to ACME Reviews.
      To see your reviews, sign in: what is your email address?
      > ada@example.com
      I have sent a sign-in link to a***@example.com. Open it and press the button on its page.
      Then type here the 6-digit code the page shows you.
    `,
    );
    const state = /\/auth\/email\/([A-Za-z0-9_-]{43})/.exec(printed.join(''))![1]!;
    expect(printed.join('')).toContain('Subject: Sign in to ACME Reviews');
    expect(await engine.links.emailLanding(state, {})).toEqual({ kind: 'ready' });
    const confirmed = await engine.links.confirmEmail(state, {});
    expect(confirmed.kind).toBe('signed-in');
    await play(
      chat,
      `
      > ${confirmed.kind === 'signed-in' ? confirmed.code : ''}
      Signed in as a***@example.com: you have written 3 reviews. Say "logout" to sign out.
      > hi again
      Welcome to ACME Reviews.
      Signed in as a***@example.com: you have written 3 reviews. Say "logout" to sign out.
      > logout
      You are signed out.
    `,
    );
    // The demo service answers a used code as Bazaarvoice does.
    const again = await fetch(`${services.url}/email/authenticateuser.json?ApiVersion=5.4&PassKey=demo-passkey`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'ada@example.com', authtoken: state }).toString(),
    });
    expect(await again.json()).toMatchObject({ HasErrors: true, Errors: [{ Code: 'ERROR_BAD_REQUEST' }] });
  });

  it('prints the mail in `parley chat` when no SMTP_URL is set', async () => {
    const child = promisify(execFile)(process.execPath, [join(root, 'bin', 'parley.js'), 'chat', 'scripts/email-reviews.json', '--demo-services', '--channel', 'whatsapp', '--quiet'], {
      cwd: root,
      timeout: 30_000,
      env: { ...process.env, REDIS_URL: '', SMTP_URL: '' },
    });
    child.child.stdin?.end('hi\nada@example.com\n');
    const { stdout, stderr } = await child;
    expect(stdout.split('\n').slice(0, 4)).toEqual([
      'Welcome to ACME Reviews.',
      'To see your reviews, sign in: what is your email address?',
      'I have sent a sign-in link to a***@example.com. Open it and press the button on its page.',
      'Then type here the 6-digit code the page shows you.',
    ]);
    // The link names the pages chat serves on this machine while it runs.
    expect(stderr).toMatch(/--- mail, not sent \(SMTP_URL is not set\) ---\nFrom: ACME Reviews <no-reply@acme\.example>\nTo: a\*\*\*@example\.com\nSubject: Sign in to ACME Reviews\n\nHello,\n\nOpen this link to sign in to ACME Reviews, and press the button on its page:\n\nhttp:\/\/127\.0\.0\.1:\d+\/auth\/email\/[A-Za-z0-9_-]{43}\n/);
    expect(stdout + stderr).not.toContain('ada@example.com');
  });
});
