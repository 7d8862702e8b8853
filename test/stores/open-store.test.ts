import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/stores/open-store.js';
import { testRedisUrl } from '../support/redis.js';
import { readSettings } from '../../src/config.js';

/** Opens the store the settings of `env` ask for, as the entry points do. */
const open = async (env: NodeJS.ProcessEnv, log?: { warn(message: string): void }) => openStore(readSettings(env), log);

function recordingLog() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (msg: string) => void warnings.push(msg) } };
}

const key = randomBytes(32).toString('base64');

// Concurrent: two of these wait out the connection time-out.
describe.concurrent('openStore', () => {
  it('keeps everything in memory when no Redis is set, and warns about nothing', async () => {
    const { warnings, log } = recordingLog();
    const opened = await open({ REDIS_URL: '', REDIS_CLUSTER_NODES: ' ' }, log);
    expect(opened.kind).toBe('memory');
    expect(opened.cipher).toBeUndefined();
    expect(warnings).toEqual([]);
    await opened.store.close();
  });

  it('gives the cipher made from TOKEN_ENCRYPTION_KEY', async () => {
    const opened = await open({ TOKEN_ENCRYPTION_KEY: key });
    expect(opened.cipher?.open(opened.cipher.seal('x'))).toBe('x');
    await opened.store.tokens.set('k', { token: 't', account: 'a' }, 60);
    expect(await opened.store.tokens.get('k')).toEqual({ token: 't', account: 'a' });
    await opened.store.close();
  });

  it('refuses a TOKEN_ENCRYPTION_KEY that is not 32 bytes', async () => {
    await expect(open({ TOKEN_ENCRYPTION_KEY: 'too-short' })).rejects.toThrow(/openssl rand -base64 32/);
  });

  it('refuses a shared store without TOKEN_ENCRYPTION_KEY, saying how to make one', async () => {
    await expect(open({ REDIS_URL: testRedisUrl() })).rejects.toThrow(/TOKEN_ENCRYPTION_KEY is not set.*openssl rand -base64 32.*ALLOW_UNENCRYPTED_TOKENS=true/);
    await expect(open({ REDIS_CLUSTER_NODES: '127.0.0.1:1' })).rejects.toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
  });

  it('opens a shared store without a key only when the operator opts out, and warns', async () => {
    const { warnings, log } = recordingLog();
    const opened = await open({ REDIS_URL: testRedisUrl(), ALLOW_UNENCRYPTED_TOKENS: 'true' }, log);
    try {
      expect(opened.kind).toBe('redis');
      expect(opened.cipher).toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEY is not set \(ALLOW_UNENCRYPTED_TOKENS=true\): tokens are stored in Redis in clear/)]);
    } finally {
      await opened.store.close();
    }
  });

  it('does not warn when Redis has a key to encrypt tokens with', async () => {
    const { warnings, log } = recordingLog();
    const opened = await open({ REDIS_URL: testRedisUrl(), TOKEN_ENCRYPTION_KEY: key }, log);
    try {
      expect(opened.cipher).toBeDefined();
      expect(warnings).toEqual([]);
    } finally {
      await opened.store.close();
    }
  });

  it('fails with the URL, password hidden, when Redis does not answer', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await open({ REDIS_URL: `redis://:hunter2secret@127.0.0.1:${port}/0`, TOKEN_ENCRYPTION_KEY: key }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).not.toContain('hunter2secret');
    expect(message).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('takes REDIS_CLUSTER_NODES for a Cluster (here a plain server, which does not answer as one)', async () => {
    const { host, port } = new URL(testRedisUrl());
    const error = await open({ REDIS_CLUSTER_NODES: `${host.replace(/:\d+$/, '')}:${port}`, TOKEN_ENCRYPTION_KEY: key }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain(`Redis Cluster ${host.replace(/:\d+$/, '')}:${port}`);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
