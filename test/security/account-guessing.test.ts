// Security: refused sign-ins are counted per account too, so one username is not guessed at
// from many numbers. The user hears the same pause whichever count stopped them.
import { describe, expect, it } from 'vitest';
import { botWith, enginesOnRedis, standIns } from '../components/engine-on-redis.js';
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
