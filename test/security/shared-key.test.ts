// Security: with a shared store every instance seals secret answers with one key, so a sign-in
// whose PIN was asked on one instance completes on another; without a key the server refuses
// to start rather than fail such sign-ins silently.
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config.js';
import { createEngine } from '../../src/create-engine.js';
import { openStore } from '../../src/stores/open-store.js';
import { botWith, engineSettings, standIns, testEncryptionKey, testEnv } from '../support/engine-on-redis.js';
import { chatWith } from '../support/conversation.js';
import { testRedisUrl } from '../support/redis.js';
import { uniquePhone } from '../server/support.js';

const standIn = standIns();

describe('two instances on one Redis', () => {
  it('complete a sign-in whose secret answer was sealed by the other instance', async () => {
    const service = (await standIn()).on('POST /login', { json: { token: 'tok-shared' } });
    const bot = botWith({
      authTokens: {
        bank: {
          url: `${service.url}/login`,
          // The secret is asked first, so it waits in the session, sealed, for the next turn.
          questions: [
            { ask: 'PIN?', field: 'pin', secret: true },
            { ask: 'Account?', field: 'account' },
          ],
          ttl: 600,
          tokenPath: 'token',
        },
      },
      steps: [{ type: 'authToken', token: 'bank' }, { type: 'end', text: 'Signed in.' }],
    });
    const env = { REDIS_URL: testRedisUrl(), TOKEN_ENCRYPTION_KEY: testEncryptionKey };
    const [one, two] = await Promise.all([openStore(readSettings(env)), openStore(readSettings(env))]);
    try {
      const engineOf = (opened: typeof one) => createEngine({ bot, store: opened.store, ...engineSettings(testEnv), ...(opened.cipher && { cipher: opened.cipher }) });
      const user = uniquePhone();
      expect(await chatWith(engineOf(one), { user }).send('hi')).toEqual(['PIN?']);
      expect(await chatWith(engineOf(one), { user }).send('4321')).toEqual(['Account?']);
      expect(await chatWith(engineOf(two), { user }).send('10001')).toEqual(['Signed in.']);
      expect(service.to('POST /login')[0]?.json).toEqual({ pin: '4321', account: '10001' });
    } finally {
      await Promise.all([one.store.close(), two.store.close()]);
    }
  });

  it('cannot start without a key unless the operator opts out', async () => {
    await expect(openStore(readSettings({ REDIS_URL: testRedisUrl() }))).rejects.toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
  });
});
