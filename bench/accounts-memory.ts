// What several accounts cost in Redis: every key a user with five accounts of one definition
// leaves (five sealed token records and the sealed list of names), against one account.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { createEngine } from '../src/create-engine.js';
import { runTurn } from '../src/runtime/run-turn.js';
import type { User } from '../src/runtime/turn.js';
import type { Cipher } from '../src/stores/cipher.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import { loadBench } from './demo-bot.js';

export interface AccountsMemory {
  /** MEMORY USAGE of every token key of a user with one account (accounts: "several"). */
  oneAccount: number;
  /** …with five accounts. */
  fiveAccounts: number;
}

export async function measureAccountsMemory(raw: Redis, redisUrl: string, cipher: Cipher): Promise<AccountsMemory> {
  // An auth service that signs anyone in: a realistic 40-character token per account.
  const auth: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { username } = JSON.parse(body) as { username: string };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ token: `${username}-`.padEnd(40, 'x') }));
    });
  });
  await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(auth.address() as AddressInfo).port}/login`;
  const bot = loadBench(
    JSON.stringify({
      format: 1,
      id: 'accounts',
      name: 'Accounts',
      start: 'main',
      authTokens: { bank: { url, accounts: 'several', ttl: 3600, tokenPath: 'token', questions: [{ ask: 'Username?', field: 'username' }, { ask: 'PIN?', field: 'pin', secret: true }] } },
      scripts: { main: { steps: [{ type: 'authToken', token: 'bank', addAccount: true }, { type: 'end', text: 'Added {account}.' }] } },
    }),
    'accounts.json',
  );
  const usage = async (key: string) => Number(await raw.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  const measure = async (prefix: string, accounts: number) => {
    const store = createRedisStore({ url: redisUrl, prefix, cipher });
    const engine = createEngine({ bot, store, cipher, allowPrivateNetworks: true });
    const user: User = { id: '+15550100123', channel: 'sms', via: 'twilio', phone: '+15550100123' };
    for (let i = 0; i < accounts; i++) {
      const conversation = `sms:${user.id}`;
      await runTurn(engine, { user, conversation, input: { text: 'hi' } });
      await runTurn(engine, { user, conversation, input: { text: `customer.number.${i}@example.com` } });
      const done = await runTurn(engine, { user, conversation, input: { text: '1234' } });
      if (!done.ended) throw new Error('the account was not added');
    }
    await store.close();
    const keys = await raw.keys(`${prefix}:t:*`);
    if (keys.length !== accounts + 1) throw new Error(`expected ${accounts + 1} token keys, found ${keys.length}`);
    return (await Promise.all(keys.map(usage))).reduce((a, b) => a + b, 0);
  };
  try {
    return { oneAccount: await measure('mem-accounts-1', 1), fiveAccounts: await measure('mem-accounts-5', 5) };
  } finally {
    await new Promise((resolve) => auth.close(resolve));
  }
}
