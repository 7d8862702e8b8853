// The runtime's Metrics, counted with prom-client for GET /metrics. Each app gets a registry of
// its own (not prom-client's global one), so a process, or a test, can run several apps.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../runtime/metrics.js';

export interface ServerMetrics extends Metrics {
  registry: Registry;
  /** A reply that did not reach the platform (a Bot Framework serviceUrl, Twilio's or the Graph API). */
  replyDeliveryFailed(channel: string): void;
}

// Turns wait on people's services: the buckets reach past the 15 s that platforms give a webhook.
const turnBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const webBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** `processMetrics`: also the process's own (CPU, memory, event loop); once per process. */
export function createServerMetrics(options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const turns = new Histogram({
    name: 'parley_turn_duration_seconds',
    help: 'Turns by channel and how long each took (its _count is the number of turns)',
    labelNames: ['channel'],
    buckets: turnBuckets,
    registers: [registry],
  });
  const signIns = new Counter({ name: 'parley_sign_ins_total', help: 'Sign-ins by outcome', labelNames: ['outcome'], registers: [registry] });
  const tokens = new Counter({
    name: 'parley_token_cache_lookups_total',
    help: 'Cached token lookups, by result (hit or miss)',
    labelNames: ['result'],
    registers: [registry],
  });
  const webCalls = new Histogram({
    name: 'parley_web_call_duration_seconds',
    help: 'Web service calls by outcome and how long each took',
    labelNames: ['outcome'],
    buckets: webBuckets,
    registers: [registry],
  });
  const failedDeliveries = new Counter({
    name: 'parley_reply_deliveries_failed_total',
    help: 'Replies that did not reach the platform (refused, failed or unanswered sends), by channel',
    labelNames: ['channel'],
    registers: [registry],
  });
  return {
    registry,
    replyDeliveryFailed: (channel) => failedDeliveries.inc({ channel }),
    turn: (channel, seconds) => turns.observe({ channel }, seconds),
    signIn: (outcome) => signIns.inc({ outcome }),
    tokenLookup: (hit) => tokens.inc({ result: hit ? 'hit' : 'miss' }),
    webCall: (outcome, seconds) => webCalls.observe({ outcome }, seconds),
  };
}
