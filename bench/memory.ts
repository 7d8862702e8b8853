// What an idle conversation costs: bytes in Redis for the demo bot (the session waiting at a
// question, the cached token, and what a webhook's de-duplication leaves per message), and
// heap per 10,000 idle conversations in the memory store.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startDemoServices } from '../src/demo/demo-services.js';
import { createEngine } from '../src/create-engine.js';
import { closeHttp } from '../src/http/client.js';
import { conversationKey, runTurn } from '../src/runtime/run-turn.js';
import type { Engine } from '../src/runtime/engine.js';
import type { User } from '../src/runtime/turn.js';
import { createMemoryStore } from '../src/stores/memory-store.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import { createCipher } from '../src/stores/cipher.js';
import { demoBotText, loadBench } from './demo-bot.js';
import { collectGarbage } from './stats.js';
import { measureAccountsMemory, type AccountsMemory } from './accounts-memory.js';

export interface RedisMemory {
  /** MEMORY USAGE of the session key, waiting at the first sign-in question (username). */
  sessionAtFirstQuestion: number;
  /** …and at the second (password), with the username kept in the session. */
  sessionAtSecondQuestion: number;
  /** MEMORY USAGE of the cached (sealed) token record. */
  token: number;
  /** MEMORY USAGE of one message's de-duplication key (`delivery` set, as webhooks do), kept 1 h. */
  deliveryPerMessage: number;
  /** MEMORY USAGE of one message's replay mark (Twilio's: kept 24 h after its answer is gone). */
  replayMarkPerMessage: number;
  /** Keys a conversation leaves besides its session once its turns are over (lock leftovers). */
  otherKeysPerConversation: number;
  /** used_memory growth per conversation waiting at the second question, over `conversations`. */
  usedMemoryPerConversation: number;
  /** The same with each message's delivery key, as a webhook leaves them (two messages so far). */
  usedMemoryPerConversationWithDelivery: number;
  conversations: number;
  /** Token keys of one user with accounts: "several" (bench/accounts-memory.ts). */
  accounts: AccountsMemory;
}

export async function measureRedisMemory(redisUrl: string, conversations = 2000): Promise<RedisMemory> {
  const services = await startDemoServices(0);
  const raw = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  // As a deployment runs: TOKEN_ENCRYPTION_KEY set, so tokens and secret answers are sealed.
  const cipher = createCipher(randomBytes(32).toString('base64'));
  const bot = loadBench(demoBotText(services.url), 'demo.json');
  const open = (prefix: string) => {
    const store = createRedisStore({ url: redisUrl, prefix, cipher });
    return createEngine({ bot, store, cipher, allowPrivateNetworks: true });
  };
  const usage = async (key: string) => Number(await raw.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
  // Keys are under the user's authority as well as the conversation (runTurn's conversationKey).
  const sessionKey = (prefix: string, conversation: string) => `${prefix}:{${conversationKey({ user: smsUser(0), conversation })}}:s`;

  try {
    // One conversation, looked at key by key.
    const one = open('mem-one');
    const user = smsUser(0);
    const conversation = `sms:${user.id}`;
    // As the Twilio webhook runs a turn: its MessageSid as the delivery, remembered a day against replays.
    const replayTtlSeconds = 24 * 3600;
    await runTurn(one, { user, conversation, input: { text: 'hi' }, delivery: 'twilio:SM00000000000000000000000000000001', deliveryTtlSeconds: 120, replayTtlSeconds });
    const sessionAtFirstQuestion = await usage(sessionKey('mem-one', conversation));
    await runTurn(one, { user, conversation, input: { text: 'ada' }, delivery: 'twilio:SM00000000000000000000000000000002', deliveryTtlSeconds: 120, replayTtlSeconds });
    const sessionAtSecondQuestion = await usage(sessionKey('mem-one', conversation));
    const perMessage = async (kind: 'd' | 'r') => {
      const keys = await raw.keys(`mem-one:{${conversationKey({ user, conversation })}}:${kind}:*`);
      if (keys.length !== 2) throw new Error(`expected a ${kind} key per message, found ${keys.length}`);
      return (await Promise.all(keys.map(usage))).reduce((a, b) => a + b, 0) / keys.length;
    };
    const deliveryPerMessage = await perMessage('d');
    const replayMarkPerMessage = await perMessage('r');
    const otherKeys = (await raw.keys('mem-one:*')).filter((key) => !key.includes(':d:') && !key.includes(':r:') && key !== sessionKey('mem-one', conversation));
    const done = await runTurn(one, { user, conversation, input: { text: 'lovelace' } });
    if (!done.ended) throw new Error(`the demo sign-in did not finish: ${JSON.stringify(done)}`);
    const tokenKeys = await raw.keys('mem-one:t:*');
    if (tokenKeys.length !== 1) throw new Error(`expected one token key, found ${tokenKeys.length}`);
    const token = await usage(tokenKeys[0]!);
    await one.store.close();

    // Many conversations, by how much Redis grew.
    const grow = async (prefix: string, withDelivery: boolean) => {
      const engine = open(prefix);
      await runTurn(engine, { user: smsUser(1), conversation: `${prefix}-warm`, input: { text: 'hi' } });
      const before = await usedMemory();
      await inParallel(conversations, 20, async (i) => {
        const u = smsUser(i);
        const id = `sms:${u.id}`;
        await runTurn(engine, { user: u, conversation: id, input: { text: 'hi' }, ...(withDelivery && { delivery: `twilio:SM${i}a`, deliveryTtlSeconds: 120, replayTtlSeconds: 24 * 3600 }) });
        const answer = await runTurn(engine, { user: u, conversation: id, input: { text: 'ada' }, ...(withDelivery && { delivery: `twilio:SM${i}b`, deliveryTtlSeconds: 120, replayTtlSeconds: 24 * 3600 }) });
        if (answer.prompt?.secret !== true) throw new Error('the demo bot did not ask for the password');
      });
      const after = await usedMemory();
      await engine.store.close();
      return (after - before) / conversations;
    };
    const usedMemoryPerConversation = await grow('mem-many', false);
    const usedMemoryPerConversationWithDelivery = await grow('mem-hook', true);
    const accounts = await measureAccountsMemory(raw, redisUrl, cipher);
    return {
      sessionAtFirstQuestion,
      sessionAtSecondQuestion,
      token,
      deliveryPerMessage,
      replayMarkPerMessage,
      otherKeysPerConversation: otherKeys.length,
      usedMemoryPerConversation,
      usedMemoryPerConversationWithDelivery,
      conversations,
      accounts,
    };
  } finally {
    raw.disconnect();
    await closeHttp();
    await services.close();
  }
}

export interface HeapMemory {
  conversations: number;
  /** heapUsed growth (after a full gc) for `conversations` idle conversations. */
  heapBytes: number;
  bytesPerConversation: number;
}

/** Needs --expose-gc: without a collection before and after, the number is noise. */
export async function measureHeap(conversations = 10_000): Promise<HeapMemory> {
  if ((globalThis as { gc?: unknown }).gc === undefined) throw new Error('measureHeap needs node --expose-gc');
  // The demo bot's first turn needs no service: it greets and asks for the username.
  const bot = loadBench(demoBotText('http://127.0.0.1:9'), 'demo.json');
  const engine: Engine = createEngine({ bot, store: createMemoryStore(), allowPrivateNetworks: true });
  // Warm: the code paths and their caches exist before the first measurement.
  for (let i = 0; i < 200; i += 1) await runTurn(engine, { user: smsUser(i), conversation: `warm:${i}`, input: { text: 'hi' } });
  const heapNow = () => {
    collectGarbage();
    collectGarbage();
    return process.memoryUsage().heapUsed;
  };
  const before = heapNow();
  for (let i = 0; i < conversations; i += 1) {
    const user = smsUser(i);
    const answer = await runTurn(engine, { user, conversation: `sms:${user.id}`, input: { text: 'hi' } });
    if (answer.prompt === undefined) throw new Error('the demo bot did not wait at its first question');
  }
  const after = heapNow();
  await engine.store.close();
  return { conversations, heapBytes: after - before, bytesPerConversation: (after - before) / conversations };
}

function smsUser(i: number): User {
  const phone = `+1555${String(i).padStart(7, '0')}`;
  return { id: phone, channel: 'sms', via: 'twilio', phone };
}

async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}
