// Loading an email sign-in (mode email): who mails the link must be said, and where the bot is
// served without SMTP_URL, Parley cannot mail it: such a bot is refused at load, located.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBotText, type LoadOptions } from '../../src/bot/load.js';
import { formatProblem } from '../../src/bot/problems.js';
import { readSettings } from '../../src/config.js';
import { startServer } from '../../src/server/start-server.js';

function bot(definition: Record<string, unknown>): string {
  return JSON.stringify(
    {
      format: 1,
      id: 'reviews',
      name: 'Reviews',
      start: 'main',
      authTokens: {
        shop: { mode: 'email', confirmUrl: 'https://api.example.com/authenticateuser.json?authtoken={code}&PassKey={secret.PASSKEY}', fields: { email: '{email}' }, tokenPath: 'Authentication.User', errorPath: 'Errors', ttl: 3600, ...definition },
      },
      scripts: { main: { steps: [{ type: 'authToken', token: 'shop' }, { type: 'end', text: 'Hello {account}.' }] } },
    },
    null,
    2,
  );
}

const parleyMails = { mail: { from: 'ACME <no-reply@acme.example>' } };
const serviceMails = { sendUrl: 'https://api.example.com/hosted/send?PassKey={secret.PASSKEY}' };

function load(definition: Record<string, unknown>, options: LoadOptions = { canMail: true }): { loaded: boolean; problems: string[] } {
  const { bot: loaded, problems } = loadBotText(bot(definition), 'reviews.json', options);
  return { loaded: loaded !== undefined, problems: problems.map(formatProblem) };
}

describe('loading an email sign-in', () => {
  it('loads either way of mailing, with {code} and {email} known in the confirm call and {link} in the mail', () => {
    expect(load({ ...parleyMails, mail: { ...parleyMails.mail, subject: 'Hi {email}', text: 'Open {link} ({email})' } })).toEqual({ loaded: true, problems: [] });
    expect(load(serviceMails, { canMail: false })).toEqual({ loaded: true, problems: [] });
    const { bot: loaded } = loadBotText(bot(parleyMails), 'reviews.json', { canMail: true });
    expect(loaded?.authTokens['shop']).toMatchObject({ ask: 'What is your email address?', codeParam: 'authtoken', method: 'POST', encoding: 'json', linkTtl: 600, verifyCode: true });
  });

  it('refuses a definition that does not say who mails the link, or says both', () => {
    expect(load({}).problems).toEqual(['reviews.json:7:13: say who mails the link: "mail": { "from": … } (Parley, through SMTP_URL), or "sendUrl" (the service) (/authTokens/shop/mail)']);
    expect(load({ ...parleyMails, ...serviceMails }).problems[0]).toMatch(/^reviews\.json:\d+:\d+: give "sendUrl" \(the service mails the link\) or "mail" \(Parley mails it\), not both \(\/authTokens\/shop\/mail\)$/);
  });

  it('refuses Parley-mailed links where there is no SMTP_URL, warns where that is not known', () => {
    expect(load(parleyMails, { canMail: false })).toEqual({
      loaded: false,
      problems: [
        'reviews.json:8:15: auth token definition "shop" has Parley mail the sign-in link (it has no "sendUrl"), and SMTP_URL is not set: set SMTP_URL (smtp://user:password@host:587 or smtps://…), or give "sendUrl" so the service mails the link (/authTokens/shop/mode)',
      ],
    });
    const unknown = load(parleyMails, {});
    expect(unknown.loaded).toBe(true);
    expect(unknown.problems).toEqual([expect.stringMatching(/^reviews\.json:8:15: warning: .*SMTP_URL must be set \(\/authTokens\/shop\/mode\)$/)]);
  });

  it('keeps tokens and secrets out of the mail, and names what a mistyped placeholder meant', () => {
    expect(load({ mail: { from: 'a@acme.example', text: '{link} {authtoken}' } }).problems[0]).toMatch(/\{authtoken\} here would show a token to the user/);
    expect(load({ mail: { from: 'a@acme.example', text: 'Open {link} {secret.PASSKEY}' } }).problems[0]).toMatch(/\{secret\.PASSKEY\} here would show a secret/);
    expect(load({ mail: { from: 'a@acme.example', text: 'no link here' } }).problems[0]).toMatch(/the mail text must hold \{link\}/);
    // Headers are one line each: a template cannot add a Bcc.
    expect(load({ mail: { from: 'a@acme.example', subject: 'Hi\nBcc: eve@example.com' } }).problems[0]).toMatch(/a subject is one line \(\/authTokens\/shop\/mail\/subject\)$/);
    expect(load({ mail: { from: 'a@acme.example\nBcc: eve@example.com' } }).problems[0]).toMatch(/a sender is one line \(\/authTokens\/shop\/mail\/from\)$/);
    expect(load({ ...serviceMails, fields: { email: '{emial}' } }).problems[0]).toMatch(/\{emial\} names nothing this bot knows: use \{email\}/);
    // {code} belongs to the confirm call, not to the mail.
    expect(load({ mail: { from: 'a@acme.example', text: '{link} {code}' } }).problems[0]).toMatch(/\{code\} names nothing this bot knows/);
    expect(load({ ...serviceMails, errorPath: '$..[?(@.x)]' }).problems[0]).toMatch(/\(\/authTokens\/shop\/errorPath\)$/);
    expect(load({ ...serviceMails, confirmUrl: 'https://{email}.example.com/confirm' }).problems[0]).toMatch(/\{email\} stands in the scheme, user, host or port/);
  });

  it('knows {link} in the link modes\' linkText, the default one included', () => {
    const web = (definition: Record<string, unknown>) =>
      loadBotText(bot({}).replace(/"shop": \{[\s\S]*?\n    \}/, `"shop": ${JSON.stringify({ mode: 'web', beginUrl: 'https://auth.example.com/begin', endUrl: 'https://auth.example.com/end', ttl: 600, ...definition })}`), 'web.json');
    expect(web({}).problems).toEqual([]);
    expect(web({ linkText: 'Open {link} to sign in' }).problems).toEqual([]);
  });

  it('has its own keys: no linkText (the link goes by mail), no questions', () => {
    expect(load({ ...serviceMails, linkText: 'Here: {link}' }).problems[0]).toMatch(/has no key "linkText": remove it/);
    expect(load({ ...serviceMails, questions: [] }).problems[0]).toMatch(/has no key "questions": remove it/);
  });

  it('the server refuses to start with such a bot and no SMTP_URL, and starts with one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-email-'));
    const file = join(dir, 'reviews.json');
    await writeFile(file, bot(parleyMails));
    const lines: string[] = [];
    const logDestination = { write: (line: string) => void lines.push(line) };
    await expect(startServer({ botFile: file, port: 0, host: '127.0.0.1', env: { LOG_LEVEL: 'silent' }, logDestination })).rejects.toThrow(/reviews\.json:8:15: auth token definition "shop" has Parley mail the sign-in link .*SMTP_URL is not set/);
    const server = await startServer({ botFile: file, port: 0, host: '127.0.0.1', env: { LOG_LEVEL: 'silent', SMTP_URL: 'smtp://127.0.0.1:2525' }, logDestination });
    await server.close();
  });

  it('takes SMTP_URL as an smtp:// or smtps:// URL only, never echoing it', () => {
    expect(readSettings({ SMTP_URL: 'smtps://user:pass@mail.example.com:465' }).smtpUrl).toBe('smtps://user:pass@mail.example.com:465');
    expect(() => readSettings({ SMTP_URL: 'https://user:s3cret@mail.example.com' })).toThrow(/SMTP_URL: write an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => readSettings({ SMTP_URL: 'https://user:s3cret@mail.example.com' })).not.toThrow(/s3cret/);
  });
});
