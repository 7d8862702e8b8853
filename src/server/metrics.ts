// The runtime's Metrics, counted with prom-client for GET /metrics. Each app gets a registry of
// its own (not prom-client's global one), so a process, or a test, can run several apps.
//
// What an operator watches, family by family:
//   parley_http_requests_total{route,status}            every answer, by route pattern (never the raw path)
//   parley_errors_total{kind}                           refusals and failures, by kind
//   parley_turn_duration_seconds{channel}               turns and how long each took
//   parley_deliveries_deduplicated_total{channel,kind}  platform retries answered again (retry) or refused (replay)
//   parley_late_deliveries_total{channel,outcome}       replies sent after the webhook answered, sent or failed
//   parley_reply_deliveries_failed_total{channel}       any reply the platform did not take
//   parley_store_operation_duration_seconds{operation}  store calls and their latency
//   parley_store_errors_total{operation}                store calls that failed
//   parley_lock_wait_seconds{outcome}                   turns that queued for their conversation's lock
//   parley_sign_ins_total{mode,outcome}                 sign-ins
//   parley_back_off_total{event}                        pauses imposed on repeated failures, tries refused during one
//   parley_token_cache_lookups_total{result}            cached token lookups
//   parley_web_call_duration_seconds{outcome}           web service calls
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../runtime/metrics.js';

export interface ServerMetrics extends Metrics {
  registry: Registry;
  /** A reply that did not reach the platform (a Bot Framework serviceUrl, Twilio's or the Graph API). */
  replyDeliveryFailed(channel: string): void;
  /** An answered HTTP request: its route pattern ('unmatched' for none) and status. */
  request(route: string, status: number): void;
  /** A refusal or failure the server saw (an HTTP error's kind, see errors.ts). */
  serverError(kind: string): void;
  storeCall(operation: string, seconds: number, failed: boolean): void;
}

// Turns wait on people's services: the buckets reach past the 15 s that platforms give a webhook.
const turnBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const webBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// A store call takes a fraction of a millisecond on a healthy Redis nearby.
const storeBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
const lockBuckets = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 15, 30, 60, 140];

/** `processMetrics`: also the process's own (CPU, memory, event loop); once per process. */
export function createServerMetrics(options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const registers = [registry];
  const requests = new Counter({ name: 'parley_http_requests_total', help: 'HTTP requests answered, by route pattern and status', labelNames: ['route', 'status'], registers });
  const errors = new Counter({
    name: 'parley_errors_total',
    help: 'Refusals and failures by kind: HTTP refusals (bad-request, forbidden, unauthorized, not-found, …), turn-failed, store-unavailable, session-conflict, interrupted',
    labelNames: ['kind'],
    registers,
  });
  const turns = new Histogram({
    name: 'parley_turn_duration_seconds',
    help: 'Turns by channel and how long each took (its _count is the number of turns)',
    labelNames: ['channel'],
    buckets: turnBuckets,
    registers,
  });
  const duplicates = new Counter({
    name: 'parley_deliveries_deduplicated_total',
    help: 'Deliveries seen before: platform retries given the first answer without running again (retry), or replays refused (replay)',
    labelNames: ['channel', 'kind'],
    registers,
  });
  const late = new Counter({
    name: 'parley_late_deliveries_total',
    help: 'Replies of turns that outlived their webhook, sent afterwards: sent or failed',
    labelNames: ['channel', 'outcome'],
    registers,
  });
  const failedDeliveries = new Counter({
    name: 'parley_reply_deliveries_failed_total',
    help: 'Replies that did not reach the platform (refused, failed or unanswered sends), by channel',
    labelNames: ['channel'],
    registers,
  });
  const storeCalls = new Histogram({
    name: 'parley_store_operation_duration_seconds',
    help: 'Store calls (Redis or memory) by operation and how long each took',
    labelNames: ['operation'],
    buckets: storeBuckets,
    registers,
  });
  const storeErrors = new Counter({ name: 'parley_store_errors_total', help: 'Store calls that failed, by operation', labelNames: ['operation'], registers });
  const lockWaits = new Histogram({
    name: 'parley_lock_wait_seconds',
    help: "Turns that waited for their conversation's lock (another message of it was running), and how long: acquired or timed-out",
    labelNames: ['outcome'],
    buckets: lockBuckets,
    registers,
  });
  const signIns = new Counter({ name: 'parley_sign_ins_total', help: 'Sign-ins by mode and outcome', labelNames: ['mode', 'outcome'], registers });
  const backOff = new Counter({
    name: 'parley_back_off_total',
    help: 'Sign-in back-off: pauses imposed after repeated failures (paused), tries refused during a pause (refused)',
    labelNames: ['event'],
    registers,
  });
  const tokens = new Counter({ name: 'parley_token_cache_lookups_total', help: 'Cached token lookups, by result (hit or miss)', labelNames: ['result'], registers });
  const webCalls = new Histogram({
    name: 'parley_web_call_duration_seconds',
    help: 'Web service calls by outcome and how long each took',
    labelNames: ['outcome'],
    buckets: webBuckets,
    registers,
  });
  // Children of the labels seen on every turn, so the hot path does not build and check a
  // label object for `labels()` each time (prom-client still hashes a child's labels).
  const storeCallOf = new Map<string, ReturnType<typeof storeCalls.labels>>();
  const requestOf = new Map<string, ReturnType<typeof requests.labels>>();
  const turnOf = new Map<string, ReturnType<typeof turns.labels>>();
  return {
    registry,
    request: (route, status) => {
      const key = `${route} ${status}`;
      let child = requestOf.get(key);
      if (child === undefined) requestOf.set(key, (child = requests.labels(route, String(status))));
      child.inc();
    },
    serverError: (kind) => errors.inc({ kind }),
    error: (kind) => errors.inc({ kind }),
    replyDeliveryFailed: (channel) => failedDeliveries.inc({ channel }),
    turn: (channel, seconds) => {
      let child = turnOf.get(channel);
      if (child === undefined) turnOf.set(channel, (child = turns.labels(channel)));
      child.observe(seconds);
    },
    duplicate: (channel, kind) => duplicates.inc({ channel, kind }),
    late: (channel, outcome) => late.inc({ channel, outcome }),
    storeCall: (operation, seconds, failed) => {
      let child = storeCallOf.get(operation);
      if (child === undefined) storeCallOf.set(operation, (child = storeCalls.labels(operation)));
      child.observe(seconds);
      if (failed) storeErrors.inc({ operation });
    },
    lockWait: (seconds, outcome) => lockWaits.observe({ outcome }, seconds),
    signIn: (outcome, mode = 'credentials') => signIns.inc({ mode, outcome }),
    backOff: (event) => backOff.inc({ event }),
    tokenLookup: (hit) => tokens.inc({ result: hit ? 'hit' : 'miss' }),
    webCall: (outcome, seconds) => webCalls.observe({ outcome }, seconds),
  };
}
