import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { createCipher } from '../../src/stores/cipher.js';
import { describeStoreContract, write } from './store-contract.js';

describeStoreContract('memory', async () => createMemoryStore());

describeStoreContract('memory with a token cipher', async () =>
  createMemoryStore({ cipher: createCipher(Buffer.alloc(32, 7).toString('base64')) }),
);

describe('memory store clock', () => {
  function storeWithClock() {
    let at = 1_000_000;
    const store = createMemoryStore({ now: () => at });
    return { store, advance: (ms: number) => (at += ms) };
  }

  it('expires sessions, tokens and keyed values by the clock it is given', async () => {
    const { store, advance } = storeWithClock();
    await write(store, 'conv', 'v', 0, 10);
    await store.tokens.set('tok', { token: 't', account: 'a' }, 10);
    await store.keyed.set('key', 'v', 10);
    advance(9_999);
    expect(await store.sessions.get('conv')).toEqual({ value: 'v', version: 1 });
    expect(await store.tokens.get('tok')).toEqual({ token: 't', account: 'a' });
    expect(await store.keyed.get('key')).toBe('v');
    advance(1);
    expect(await store.sessions.get('conv')).toBeUndefined();
    expect(await store.tokens.get('tok')).toBeUndefined();
    expect(await store.keyed.get('key')).toBeUndefined();
    await store.close();
  });

  it('keeps a counter window from its first increment', async () => {
    const { store, advance } = storeWithClock();
    expect(await store.keyed.increment('fails', 60)).toBe(1);
    advance(59_000);
    expect(await store.keyed.increment('fails', 60)).toBe(2);
    advance(1_000);
    expect(await store.keyed.increment('fails', 60)).toBe(1);
    await store.close();
  });

  it('treats an expired session as absent when writing', async () => {
    const { store, advance } = storeWithClock();
    await write(store, 'conv', 'old', 0, 1);
    advance(1_000);
    expect(await write(store, 'conv', 'stale', 1)).toBe(false);
    expect(await write(store, 'conv', 'new', 0)).toBe(true);
    expect(await store.sessions.get('conv')).toEqual({ value: 'new', version: 1 });
    await store.close();
  });
});
