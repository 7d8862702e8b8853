// Security: refused sign-ins are counted per account too, so one username is not guessed at
// from many numbers. The user hears the same pause whichever count stopped them.
import { describe, expect, it } from 'vitest';
import { botWith, enginesOnRedis, standIns } from '../support/engine-on-redis.js';
import { chatWith } from '../support/conversation.js';
import { rawRedis } from '../support/redis.js';
import type { StandInService } from '../support/stand-in-service.js';

const engineFor = enginesOnRedis('account-guessing');
const standIn = standIns();

function bank(service: StandInService) {
  return botWith({
    authTokens: {
      acme: {
        url: `${service.url}/login`,
        questions: [
          { ask: 'Username?', field: 'username' },
          { ask: 'Password?', field: 'password', secret: true },
        ],
        ttl: 600,
        tokenPath: 'token',
        maxAttempts: 3,
        invalidMessage: 'Not accepted.',
      },
    },
    steps: [
      { type: 'authToken', token: 'acme', onFailure: 'locked' },
      { type: 'end', text: 'Welcome.' },
      { id: 'locked', type: 'end', text: 'Sign-in failed.' },
    ],
  });
}

const numbers = ['+15550200001', '+15550200002', '+15550200003', '+15550200004', '+15550200005'];

describe('password guessing across many numbers', () => {
  it('reaches the auth service three times, not fifteen, for five numbers trying three passwords of one account', async () => {
    const service = (await standIn()).on('POST /login', (seen) =>
      (seen.json as { password?: string }).password === 'right' ? { json: { token: 'tok' } } : { status: 401, json: {} },
    );
    const { engine, prefix } = engineFor(bank(service));
    const heard: string[][] = [];
    for (const user of numbers) {
      const chat = chatWith(engine, { user });
      await chat.send('hi');
      for (let guess = 1; guess <= 3; guess++) {
        const lines = await chat.send(guess === 1 ? 'Ada' : 'ada');
        if (lines.at(-1) !== 'Password?') break;
        heard.push(await chat.send(`wrong-${user}-${guess}`));
        if (chat.last?.ended === true) break;
      }
    }
    expect(service.to('POST /login')).toHaveLength(3);
    // The paused numbers hear the pause, as a paused sender would.
    expect(heard.at(-1)?.join(' ')).toMatch(/too many attempts/i);
    // The store keeps the account's count under a hash, never the username.
    const redis = rawRedis();
    try {
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.some((key) => key.includes(':account:'))).toBe(true);
      expect(keys.join(' ')).not.toMatch(/ada/i);
    } finally {
      await redis.quit();
    }
  });

  it('lets another account be tried from the same numbers', async () => {
    const service = (await standIn()).on('POST /login', (seen) =>
      (seen.json as { password?: string; username?: string }).username === 'alan' && (seen.json as { password?: string }).password === 'right'
        ? { json: { token: 'tok' } }
        : { status: 401, json: {} },
    );
    const { engine } = engineFor(bank(service));
    for (const [index, user] of numbers.slice(0, 3).entries()) {
      const chat = chatWith(engine, { user });
      await chat.send('hi');
      await chat.send('ada');
      await chat.send(`wrong-${index}`);
    }
    const other = chatWith(engine, { user: numbers[4]! });
    await other.send('hi');
    await other.send('alan');
    expect(await other.send('right')).toEqual(['Welcome.']);
  });
});

describe('password guessing that tries to slip past the count', () => {
  const wrongUnlessRight = (service: StandInService) =>
    service.on('POST /login', (seen) => ((seen.json as { password?: string }).password === 'right' ? { json: { token: 'tok' } } : { status: 401, json: {} }));

  it('counts guesses sent at the same moment from thirty numbers one after the other', async () => {
    const service = wrongUnlessRight(await standIn());
    const { engine } = engineFor(bank(service));
    const chats = Array.from({ length: 30 }, (_, i) => chatWith(engine, { user: `+1555030${String(i).padStart(4, '0')}` }));
    for (const chat of chats) {
      await chat.send('hi');
      await chat.send('ada');
    }
    await Promise.all(chats.map((chat, i) => chat.send(`wrong-${i}`)));
    expect(service.to('POST /login')).toHaveLength(3);
  });

  it('counts spellings of one username as one account', async () => {
    const service = wrongUnlessRight(await standIn());
    const { engine } = engineFor(bank(service));
    for (const [i, spelling] of ['ada', 'ＡＤＡ', 'ada\u200b', 'a\u00adda', ' A D A ', 'Ada'].entries()) {
      const chat = chatWith(engine, { user: `+1555040${String(i).padStart(4, '0')}` });
      await chat.send('hi');
      await chat.send(spelling);
      await chat.send('wrong');
    }
    expect(service.to('POST /login')).toHaveLength(3);
  });

  it('counts the account when the username was asked before, by a question, and sent as a field', async () => {
    const service = wrongUnlessRight(await standIn());
    const bot = botWith({
      authTokens: {
        acme: {
          url: `${service.url}/login`,
          questions: [{ ask: 'Password?', field: 'password', secret: true }],
          fields: { client: '{secret.CLIENT_ID}', username: '{username}' },
          ttl: 600,
          tokenPath: 'token',
          maxAttempts: 1,
        },
      },
      steps: [
        { type: 'question', ask: 'Username?', save: 'username' },
        { type: 'authToken', token: 'acme', onFailure: 'locked' },
        { type: 'end', text: 'Welcome.' },
        { id: 'locked', type: 'end', text: 'Sign-in failed.' },
      ],
    });
    const { engine } = engineFor(bot);
    for (let i = 0; i < 6; i++) {
      const chat = chatWith(engine, { user: `+1555050${String(i).padStart(4, '0')}` });
      await chat.send('hi');
      await chat.send('ada');
      await chat.send(`wrong-${i}`);
    }
    expect(service.to('POST /login')).toHaveLength(3);
  });

  it('counts the account when every answer is secret (an account number and a PIN)', async () => {
    const service = wrongUnlessRight(await standIn());
    const bot = botWith({
      authTokens: {
        bank: {
          url: `${service.url}/login`,
          questions: [
            { ask: 'Account number?', field: 'account', secret: true },
            { ask: 'PIN?', field: 'password', secret: true },
          ],
          ttl: 600,
          tokenPath: 'token',
          maxAttempts: 1,
        },
      },
      steps: [{ type: 'authToken', token: 'bank', onFailure: 'locked' }, { type: 'end', text: 'Welcome.' }, { id: 'locked', type: 'end', text: 'No.' }],
    });
    const { engine, prefix } = engineFor(bot, { encryptionKey: Buffer.alloc(32, 9).toString('base64') });
    for (let i = 0; i < 6; i++) {
      const chat = chatWith(engine, { user: `+1555060${String(i).padStart(4, '0')}` });
      await chat.send('hi');
      await chat.send('10001234');
      await chat.send(`${1000 + i}`);
    }
    expect(service.to('POST /login')).toHaveLength(3);
    // The account number is kept as a keyed digest: not in clear, not as its plain SHA-256.
    const { createHash } = await import('node:crypto');
    const plain = createHash('sha256').update('10001234').digest('base64url').slice(0, 22);
    const redis = rawRedis();
    try {
      const keys = (await redis.keys(`${prefix}:*`)).join(' ');
      expect(keys).toContain(':account:');
      expect(keys).not.toContain('10001234');
      expect(keys).not.toContain(plain);
    } finally {
      await redis.quit();
    }
  });
});
