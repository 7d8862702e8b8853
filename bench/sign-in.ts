// The time the engine adds to a sign-in turn over the auth service's own round trip.
// (a) the turn that answers the last sign-in question: runTurn → sealed answers opened → POST
//     to the auth service → token read, sealed and cached → the next step (an end);
// (b) the same POST to the same loopback service through the same client (src/http/client.ts).
// Samples of (a) and (b) alternate, so a drift of the machine touches both alike.
import { createEngine } from '../src/create-engine.js';
import { startDemoServices } from '../src/demo/demo-services.js';
import { closeHttp, request } from '../src/http/client.js';
import { runTurn } from '../src/runtime/run-turn.js';
import { createMemoryStore } from '../src/stores/memory-store.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import type { Store } from '../src/stores/store.js';
import { loadBench, signInBotText } from './demo-bot.js';
import { median, percentile } from './stats.js';

export interface SignInOptions {
  samples: number;
  warmup: number;
  /** When set, the same measurement with sessions and tokens in this Redis as well. */
  redisUrl?: string;
}

export interface SignInSide {
  store: 'memory' | 'redis';
  turnMedianMs: number;
  turnP90Ms: number;
  bareMedianMs: number;
  bareP90Ms: number;
  /** Median of the turn minus median of the bare round trip. */
  addedMedianMs: number;
}

export async function measureSignIn(options: SignInOptions): Promise<SignInSide[]> {
  const services = await startDemoServices(0);
  try {
    const sides: SignInSide[] = [await measureOn('memory', createMemoryStore(), services.url, options)];
    if (options.redisUrl !== undefined) {
      sides.push(await measureOn('redis', createRedisStore({ url: options.redisUrl, prefix: 'bench-sign-in' }), services.url, options));
    }
    return sides;
  } finally {
    await closeHttp();
    await services.close();
  }
}

async function measureOn(kind: 'memory' | 'redis', store: Store, servicesUrl: string, options: SignInOptions): Promise<SignInSide> {
  const bot = loadBench(signInBotText(servicesUrl), 'bench-sign-in.json');
  const engine = createEngine({ bot, store, allowPrivateNetworks: true });
  const definition = bot.authTokens['acme-login']!;
  if (definition.mode !== 'credentials') throw new Error('the bench signs in with questions');
  const body = JSON.stringify({ username: 'ada', password: 'lovelace' });
  const bare = () =>
    request(
      // What sign-in-call.ts sends for this definition: same method, URL, headers and body.
      { method: definition.method, url: definition.url, headers: { accept: 'application/json, text/plain;q=0.9', 'content-type': 'application/json' }, body, timeoutMs: definition.timeout * 1000 },
      { allowPrivate: true },
    );

  const turns: number[] = [];
  const trips: number[] = [];
  try {
    for (let i = 0; i < options.warmup + options.samples; i += 1) {
      // A new user each time: a cached token would skip the questions altogether.
      const phone = `+1555${String(i).padStart(7, '0')}`;
      const user = { id: phone, channel: 'sms' as const, via: 'twilio' as const, phone };
      const conversation = `sms:${kind}:${phone}`;
      await runTurn(engine, { user, conversation, input: { text: 'hi' } });
      const asked = await runTurn(engine, { user, conversation, input: { text: 'ada' } });
      if (asked.prompt?.secret !== true) throw new Error(`the sign-in bot did not ask for the password (${JSON.stringify(asked)})`);

      let started = performance.now();
      const answer = await runTurn(engine, { user, conversation, input: { text: 'lovelace' } });
      const turnMs = performance.now() - started;
      if (answer.replies.at(-1)?.text !== 'Hi Ada Lovelace, you are signed in.') throw new Error(`the sign-in turn answered ${JSON.stringify(answer)}`);

      started = performance.now();
      const trip = await bare();
      const tripMs = performance.now() - started;
      if (!trip.ok || trip.status !== 200) throw new Error(`the bare sign-in call failed: ${JSON.stringify(trip)}`);

      if (i >= options.warmup) {
        turns.push(turnMs);
        trips.push(tripMs);
      }
    }
  } finally {
    await store.close();
  }
  return {
    store: kind,
    turnMedianMs: median(turns),
    turnP90Ms: percentile(turns, 90),
    bareMedianMs: median(trips),
    bareP90Ms: percentile(trips, 90),
    addedMedianMs: median(turns) - median(trips),
  };
}
