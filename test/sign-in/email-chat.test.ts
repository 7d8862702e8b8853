// The chat side of an email sign-in, on an engine over Redis: what the user hears while the
// address is asked for and checked, when it cannot be mailed, on the phone, and after the link
// expired. Mail goes to a real SMTP server on loopback; the page's button is engine.links
// (what POST /auth/email/:code calls; the routes are tested in link-email.test.ts).
import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { chatMailer } from '../../src/cli/chat-mailer.js';
import type { Engine } from '../../src/runtime/engine.js';
import { closedPort } from '../server/every-route.js';
import { botOf, chatWith, play } from '../support/conversation.js';
import { capturingLog, enginesOnRedis, standIns, testEnv } from '../support/engine-on-redis.js';
import { mailServers, type ReceivedMail } from '../support/smtp.js';
import type { StandInService } from '../support/stand-in-service.js';

const engineOn = enginesOnRedis('email-chat');
const standIn = standIns();
const mailServer = mailServers();

function reviewsBot(service: StandInService, definition: Record<string, unknown> = {}, steps: unknown[] = []): Bot {
  return botOf({
    format: 1,
    id: 'reviews',
    name: 'Reviews',
    start: 'main',
    triggers: [{ keywords: ['help'], script: 'help' }],
    authTokens: {
      shop: {
        mode: 'email',
        ask: 'Which email address do you use with us?',
        mail: { from: 'ACME <no-reply@acme.example>' },
        confirmUrl: `${service.url}/confirm`,
        fields: { email: '{email}' },
        tokenPath: 'Authentication.User',
        errorPath: 'Errors',
        ttl: 3600,
        ...definition,
      },
    },
    scripts: {
      main: { steps: [...steps, { type: 'authToken', token: 'shop', onFailure: 'failed' }, { type: 'end', text: 'Signed in as {account}.' }, { id: 'failed', type: 'end', text: 'We could not sign you in.' }] },
      help: { steps: [{ type: 'end', text: 'Here is some help.' }] },
    },
  });
}

async function confirmService(): Promise<StandInService> {
  return (await standIn()).on('POST /confirm', { json: { Authentication: { User: '4d5a0001' }, HasErrors: false, Errors: [] } });
}

const stateOf = (mail: ReceivedMail) => /\/auth\/email\/([A-Za-z0-9_-]{43})/.exec(mail.parsed.text ?? '')?.[1] ?? '';

async function pressButton(engine: Engine, mail: ReceivedMail): Promise<string> {
  const outcome = await engine.links.confirmEmail(stateOf(mail), {});
  if (outcome.kind !== 'signed-in' || outcome.code === undefined) throw new Error(`not signed in: ${outcome.kind}`);
  return outcome.code;
}

describe('an email sign-in, in the chat', () => {
  it('asks again for an answer that is not an address, and gives up after maxAttempts by the author’s way', async () => {
    const mail = await mailServer();
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: mail.url } });
    await play(
      chatWith(engine),
      `
      > hi
      Which email address do you use with us?
      > my address is ada at example dot com
      Please answer with an email address, like name@example.com.
      Which email address do you use with us?
      > ada@example.com, eve@example.com
      Please answer with an email address, like name@example.com.
      Which email address do you use with us?
      > "ada"@example.com
      We could not sign you in.
    `,
    );
    expect(mail.mails).toHaveLength(0);
  });

  it('asks again when the mail server refuses the address, and mails the next one', async () => {
    const mail = await mailServer();
    mail.refuse('nobody@example.com');
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: mail.url } });
    const chat = chatWith(engine);
    await play(
      chat,
      `
      > hi
      Which email address do you use with us?
      > nobody@example.com
      Sorry, I couldn't send a mail to that address. Please check it and type it again.
      Which email address do you use with us?
      > ada@example.com
      I have sent a sign-in link to a***@example.com. Open it and press the button on its page.
      Then type here the 6-digit code the page shows you.
    `,
    );
    const received = await mail.next();
    expect(received.to).toEqual(['ada@example.com']);
    // The default mail: a plain-text link, and what to do if it was not asked for.
    expect(received.parsed.subject).toBe('Your sign-in link');
    expect(received.parsed.text).toMatch(/^Open this link to sign in:\n\nhttp:\/\/localhost:3000\/auth\/email\/[A-Za-z0-9_-]{43}\n\nIt works once, for a short while\. If you did not ask for it, ignore this mail\.\n$/);
    expect(await chat.send(await pressButton(engine, received))).toEqual(['Signed in as a***@example.com.']);
  });

  it('takes the author’s way when the mail server cannot be reached, and logs why without the address', async () => {
    const log = capturingLog();
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` }, log });
    await play(
      chatWith(engine),
      `
      > hi
      Which email address do you use with us?
      > ada@example.com
      We could not sign you in.
    `,
    );
    expect(log.text()).toContain('a sign-in link could not be mailed');
    // nodemailer's code for a refused connection, never its message.
    expect(log.text()).toContain('the mail could not be sent (ESOCKET)');
    expect(log.text()).not.toContain('ada@');
  });

  it('is refused on the phone with a plain sentence, by the author’s way', async () => {
    const mail = await mailServer();
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: mail.url } });
    await play(
      chatWith(engine, { channel: 'phone' }),
      `
      Sorry, signing in by email isn't possible on a call. Please send us a message by SMS, WhatsApp or Messenger instead.
      We could not sign you in.
      (the call ends)
    `,
    );
  });

  it('works in web chat, where sign-in by questions does not', async () => {
    const mail = await mailServer();
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: mail.url } });
    const chat = chatWith(engine, { channel: 'web', user: 'web-user-1' });
    expect(await chat.send('hi')).toEqual(['Which email address do you use with us?']);
    await chat.send('ada@example.com');
    expect(await chat.send(await pressButton(engine, await mail.next()))).toEqual(['Signed in as a***@example.com.']);
  });

  it('lets a trigger through while it asks for the address; "again" asks for it anew and voids the mailed link', async () => {
    const mail = await mailServer();
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: mail.url } });
    const chat = chatWith(engine);
    await chat.send('hi');
    expect(await chat.send('help')).toEqual(['Here is some help.']);
    await chat.send('hi');
    await chat.send('ada@example.com');
    const first = await mail.next();
    expect(await chat.send('again')).toEqual(['Which email address do you use with us?']);
    expect(await chat.send('ada@exmaple.com')).toEqual([
      'I have sent a sign-in link to a***@exmaple.com. Open it and press the button on its page.',
      'Then type here the 6-digit code the page shows you.',
    ]);
    const second = await mail.next();
    expect(await engine.links.emailLanding(stateOf(first), {})).toEqual({ kind: 'unknown' });
    expect((await engine.links.confirmEmail(stateOf(first), {})).kind).toBe('unknown');
    expect(await chat.send(await pressButton(engine, second))).toEqual(['Signed in as a***@exmaple.com.']);
  });

  it('signs nobody into the wrong conversation when a mailed link is forwarded', async () => {
    const mail = await mailServer();
    const { engine } = engineOn(reviewsBot(await confirmService()), { env: { ...testEnv, SMTP_URL: mail.url } });
    const ada = chatWith(engine, { user: '+15550100021' });
    const eve = chatWith(engine, { user: '+15550100022' });
    await ada.send('hi');
    await ada.send('ada@example.com');
    await eve.send('hi');
    await eve.send('eve@example.com');
    // Ada's mail reaches Eve, who presses its button: the code is bound to Ada's conversation.
    const code = await pressButton(engine, await mail.next());
    expect((await eve.send(code))[0]).toBe("That code doesn't match: open the link in the mail and press its button first, then type the code the page shows.");
    expect((await ada.send('what now?'))[0]).toBe(
      'Please open the link in the mail I sent you and press the button on its page, then type here the code it shows. Say "again" to get a new mail, or to use another address.',
    );
  });

  it('after linkTtl, the page says the link expired and the chat takes the author’s way', async () => {
    const mail = await mailServer();
    let now = Date.now();
    const { engine } = engineOn(reviewsBot(await confirmService(), { linkTtl: 60 }), { env: { ...testEnv, SMTP_URL: mail.url }, clock: () => now });
    const chat = chatWith(engine);
    await chat.send('hi');
    await chat.send('ada@example.com');
    const received = await mail.next();
    expect(await engine.links.emailLanding(stateOf(received), {})).toEqual({ kind: 'ready' });
    now += 61_000;
    expect(await engine.links.emailLanding(stateOf(received), {})).toEqual({ kind: 'expired' });
    expect((await engine.links.confirmEmail(stateOf(received), {})).kind).toBe('expired');
    expect(await chat.send('123456')).toEqual(['The sign-in link has expired.', 'We could not sign you in.']);
  });

  it('counts refused confirmations in the back-off', async () => {
    const mail = await mailServer();
    const service = (await standIn()).on('POST /confirm', { json: { Authentication: null, HasErrors: true, Errors: [{ Code: 'ERROR_BAD_REQUEST', Message: 'invalid' }] } });
    const { engine } = engineOn(reviewsBot(service, { maxAttempts: 10 }), { env: { ...testEnv, SMTP_URL: mail.url } });
    const chat = chatWith(engine);
    await chat.send('hi');
    for (let i = 0; i < 3; i++) {
      await chat.send(i === 0 ? 'ada@example.com' : 'again');
      if (i > 0) await chat.send('ada@example.com');
      expect((await engine.links.confirmEmail(stateOf(await mail.next()), {})).kind).toBe('refused');
    }
    // Three refusals: the next mail is not sent before the pause is over.
    expect(await chat.send('again')).toEqual(['Which email address do you use with us?']);
    const paused = await chat.send('ada@example.com');
    expect(paused[0]).toMatch(/^Too many attempts\. Please wait \d+ seconds and try again\.$/);
    expect(mail.mails).toHaveLength(3);
  });

  it('prints the mail on the console when there is no SMTP_URL, the address masked', async () => {
    const printed: string[] = [];
    const mailer = chatMailer({ smtpUrl: undefined }, (text) => void printed.push(text));
    await mailer.send({ from: 'ACME <no-reply@acme.example>', to: 'ada@example.com', subject: 'Your sign-in link', text: 'Open http://localhost:3000/auth/email/x' });
    expect(printed.join('')).toBe(
      '\n--- mail, not sent (SMTP_URL is not set) ---\nFrom: ACME <no-reply@acme.example>\nTo: a***@example.com\nSubject: Your sign-in link\n\nOpen http://localhost:3000/auth/email/x\n--- end of mail ---\n\n',
    );
  });
});
