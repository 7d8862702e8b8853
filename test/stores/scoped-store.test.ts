// A bot's view of a store shared by several bots (BOT_DIR) keeps the contract, and sees
// nothing of another bot's.
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import { scopedStore } from '../../src/stores/scoped-store.js';
import { instrumentedStore } from '../../src/stores/instrumented-store.js';
import type { Store } from '../../src/stores/store.js';
import { testKeyPrefix, testRedisUrl } from '../support/redis.js';
import { describeStoreContract, write } from './store-contract.js';

// A scope does not close the store it shares; here the test's store closes with it.
const scoped = (store: Store): Store => ({ ...scopedStore(store, 'alpha'), close: () => store.close() });
describeStoreContract('memory, scoped to a bot', async () => scoped(createMemoryStore()));
describeStoreContract('redis, scoped to a bot and timed', async () => instrumentedStore(scoped(createRedisStore({ url: testRedisUrl(), prefix: testKeyPrefix('scoped') })), () => undefined));

describe('scoped stores', () => {
  it('two bots on one store share no conversation, lock, token or keyed value', async () => {
    const shared = createMemoryStore();
    const alpha = scopedStore(shared, 'alpha');
    const beta = scopedStore(shared, 'beta');
    await write(alpha, 'twilio:sms:+15550100001', 'alpha state', 0, 60);
    await alpha.tokens.set('k', { token: 'alpha-token', account: 'ada' }, 60);
    await alpha.keyed.set('k', 'alpha value', 60);
    const held = await alpha.locks.acquire('twilio:sms:+15550100001', 10_000, 0);
    expect(held).toBeDefined();

    expect(await beta.sessions.get('twilio:sms:+15550100001')).toBeUndefined();
    expect(await beta.tokens.get('k')).toBeUndefined();
    expect(await beta.keyed.get('k')).toBeUndefined();
    // Beta's lock of the same conversation is free while alpha holds its own.
    expect(await beta.locks.acquire('twilio:sms:+15550100001', 10_000, 0)).toBeDefined();
    expect(await alpha.sessions.get('twilio:sms:+15550100001')).toMatchObject({ value: 'alpha state' });
    await shared.close();
  });
});
