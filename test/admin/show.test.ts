// What `show` makes of what a store keeps: several accounts (never the list or a token),
// variables masked by name and shape, and how an operator's spelling of a user is read.
import { describe, expect, it } from 'vitest';
import { maskVariables } from '../../src/admin/masking.js';
import { operatorUser } from '../../src/admin/operator-user.js';
import { showUser } from '../../src/admin/show.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { write } from '../stores/store-contract.js';

function userOf(channel: string, id: string) {
  const named = operatorUser(channel, id);
  if (!named.ok) throw new Error(named.problem);
  return named.user;
}

describe('show', () => {
  it('lists each of several accounts with its expiry, not the list of names, and no token', async () => {
    const store = createMemoryStore();
    const base = 'bank:acme:u:meta:messenger:4711';
    await store.tokens.set(`${base}:a:digest-ada`, { token: 'tok-ada-secret', account: 'ada@example.com' }, 600);
    await store.tokens.set(`${base}:a:digest-bob`, { token: 'tok-bob-secret', account: 'bob@example.com' }, 60);
    await store.tokens.set(`${base}:accounts`, { token: '["ada@example.com","bob@example.com"]', account: '' }, 600);
    const view = await showUser(store, userOf('messenger', '4711'));
    expect(view.accounts.map(({ account, authority, expiresInSeconds }) => [account, authority, expiresInSeconds])).toEqual([
      ['ada@example.com', 'meta', 600],
      ['bob@example.com', 'meta', 60],
    ]);
    expect(JSON.stringify(view)).not.toContain('tok-');
    await store.close();
  });

  it('names a call by its CallSid and a user thread by nothing more', async () => {
    const store = createMemoryStore();
    const session = (at: number) => JSON.stringify({ vars: {}, seen: at, since: at });
    await write(store, 'twilio:phone:+15550100001:phone%3ACA0123', session(2_000), 0);
    await write(store, 'twilio:sms:+15550100001', session(1_000), 0);
    const phone = await showUser(store, userOf('phone', '+1 555 010 0001'));
    expect(phone.conversations.map((c) => [c.authority, c.conversation])).toEqual([['twilio', 'phone:CA0123']]);
    const sms = await showUser(store, userOf('sms', '15550100001'));
    expect(sms.conversations).toHaveLength(1);
    expect(sms.conversations[0]).not.toHaveProperty('conversation');
    await store.close();
  });
});

describe('masking variables', () => {
  it('masks credential-like names at any depth, and JWT-shaped values, and nothing else', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    expect(
      maskVariables({
        apiKey: 'k-1',
        sessionToken: 't',
        user_pin: '1234',
        author: 'Ada',
        keyword: 'balance',
        profile: { city: 'London', auth: { bearer: 'x' }, tags: [jwt, 'plain'] },
        seen: `Bearer ${jwt}`,
      }),
    ).toEqual({
      apiKey: '••••',
      sessionToken: '••••',
      user_pin: '••••',
      author: 'Ada',
      keyword: 'balance',
      profile: { city: 'London', auth: '••••', tags: ['••••', 'plain'] },
      seen: '••••',
    });
  });
});

describe('naming a user', () => {
  it('reads phone numbers as E.164, keeps other ids as written, and covers every authority of the channel', () => {
    expect(userOf('sms', '+1 (555) 010-0001').id).toBe('+15550100001');
    expect(userOf('whatsapp', '15550100001').keys).toEqual(['twilio:whatsapp:+15550100001', 'meta:whatsapp:+15550100001', 'unverified:whatsapp:+15550100001', 'console:whatsapp:+15550100001']);
    expect(userOf('phone', 'client:alice').keys[0]).toBe('twilio:phone:client%3Aalice');
    expect(userOf('web', '29:1a2b').keys).toEqual(['botframework:web:29%3A1a2b', 'emulator:web:29%3A1a2b', 'console:web:29%3A1a2b']);
    expect(operatorUser('telegram', 'x')).toEqual({ ok: false, problem: 'the channel is one of sms, whatsapp, messenger, phone, web' });
    expect(operatorUser('sms', '  ').ok).toBe(false);
  });
});
