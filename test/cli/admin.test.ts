// `parley admin show|reset|erase` as operators run it: a real process on the test Redis (the
// store's default prefix, as a server would use it), with what a conversation leaves there.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createCipher } from '../../src/stores/cipher.js';
import { createRedisStore } from '../../src/stores/redis-store.js';
import { dumpKeys, rawRedis, testRedisUrl } from '../support/redis.js';
import { write } from '../stores/store-contract.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const key = Buffer.alloc(32, 3).toString('base64');
const raw = rawRedis();
afterAll(async () => {
  await raw.quit();
});

async function parley(args: string[], env: NodeJS.ProcessEnv = { REDIS_URL: testRedisUrl(), TOKEN_ENCRYPTION_KEY: key }) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin', 'parley.js'), ...args], { cwd: root, timeout: 30_000, env: { ...process.env, REDIS_URL: '', REDIS_CLUSTER_NODES: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** What a server leaves for an SMS user mid-conversation and signed in, under the default prefix. */
async function seed(phone: string): Promise<void> {
  const store = createRedisStore({ url: testRedisUrl(), cipher: createCipher(key) });
  try {
    const session = { at: { script: 'main', step: 2 }, wait: { kind: 'question', tries: 1 }, vars: { city: 'London', accessToken: 'tok-in-a-var' }, seen: Date.now(), since: Date.now() - 60_000 };
    await write(store, `twilio:sms:${phone}`, JSON.stringify(session), 0);
    await store.tokens.set(`demo:acme-login:u:twilio:sms:${phone}`, { token: 'tok-9d8e7f-secret', account: 'ada' }, 600);
    await store.keyed.increment(`authfail:demo:acme-login:twilio:sms:${phone}`, 600);
  } finally {
    await store.close();
  }
}

const uniquePhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

describe('parley admin', () => {
  it('shows a user as JSON, without the token', async () => {
    const phone = uniquePhone();
    await seed(phone);
    const shown = await parley(['admin', 'show', '--channel', 'sms', '--user', phone]);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view).toMatchObject({
      channel: 'sms',
      user: phone,
      conversations: [{ authority: 'twilio', position: { script: 'main', step: 2 }, waiting: { kind: 'question', tries: 1 }, variables: { city: 'London', accessToken: '••••' } }],
      accounts: [{ authority: 'twilio', bot: 'demo', definition: 'acme-login', scope: 'user', account: 'ada' }],
      backOff: [{ authority: 'twilio', bot: 'demo', definition: 'acme-login', failures: 1, pausedForSeconds: 0 }],
    });
    expect(shown.stdout).not.toContain('tok-');
  });

  it('resets the conversation, keeping the sign-in', async () => {
    const phone = uniquePhone();
    await seed(phone);
    const reset = await parley(['admin', 'reset', '--channel', 'sms', '--user', phone]);
    expect(reset).toMatchObject({ code: 0, stdout: `ended 1 conversation of sms user ${phone}: the next message starts over\n` });
    expect(await raw.exists(`parley:{twilio:sms:${phone}}:s`)).toBe(0);
    expect(await raw.exists(`parley:t:demo:acme-login:u:twilio:sms:${phone}`)).toBe(1);
  });

  it('erases every key of the user', async () => {
    const phone = uniquePhone();
    const other = uniquePhone();
    await seed(phone);
    await seed(other);
    const erased = await parley(['admin', 'erase', '--channel', 'sms', '--user', phone.replace(/^\+1555/, '+1 555 ')]);
    expect(erased).toMatchObject({ code: 0, stdout: `erased 3 keys of sms user ${phone} (1 conversation under way)\n` });
    const left = [...(await dumpKeys(raw, 'parley:')).keys()];
    expect(left.filter((k) => k.includes(phone.slice(1)))).toEqual([]);
    expect(left.filter((k) => k.includes(other.slice(1)))).toHaveLength(3);
  });

  it('refuses to run without a shared store, and names what to set', async () => {
    const result = await parley(['admin', 'show', '--channel', 'sms', '--user', '+15550100001'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('REDIS_URL (or REDIS_CLUSTER_NODES) is not set');
  });

  it('refuses an unknown channel or action', async () => {
    expect((await parley(['admin', 'show', '--channel', 'telegram', '--user', 'x'])).code).not.toBe(0);
    const wrong = await parley(['admin', 'drop', '--channel', 'sms', '--user', 'x']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('show, reset, erase');
  });
});
