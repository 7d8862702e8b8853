// What `parley chat` tells the author on standard error: every call a bot makes (method, URL
// with its tokens and secret answers masked, status or error, time) and, when one fails, why
// and which way the bot goes next. The server's log says less on purpose; the console is the
// author's own terminal, where "Sorry, I couldn't check your details" needs its reason.
// `observeCalls` describes each call; the console writes it as lines, the studio lists it.
import type { Bot } from '../bot/bot.js';
import type { HttpResult } from '../http/client.js';
import { maskValues, type Outbound, type OutboundPurpose } from '../http/outbound.js';
import { explainBlockedAddress } from './blocked-address.js';
import { demoServicesPort } from './example-services.js';

export interface CallLogOptions {
  bot: Bot;
  /** ALLOW_PRIVATE_NETWORKS (or --demo-services) as the calls run with it. */
  allowPrivate: boolean;
  write: (text: string) => void;
}

/** One call as the author is shown it: every text already masked. */
export interface ObservedCall {
  /** When it was sent (epoch ms). */
  at: number;
  method: string;
  /** The URL with the tokens, secret answers and `{secret.*}` values it holds masked. */
  url: string;
  /** The HTTP status, or the client's error (timeout, blocked-address, …). */
  outcome: number | string;
  /** A 2xx answer. */
  ok: boolean;
  ms: number;
  /** What it was for: `sign-in "DEF"` or `webService step SCRIPT#INDEX`. */
  subject: string;
  /** Why it failed, and which way the conversation goes next; absent when it did not fail. */
  why?: string;
  way?: string;
}

export interface ObserveOptions {
  bot: Bot;
  allowPrivate: boolean;
  /** Told each call once it has its answer. */
  record: (call: ObservedCall, purpose: OutboundPurpose) => void;
}

/** `outbound`, with each call described (masked) to `record`: the console's log and the studio's list. */
export function observeCalls(outbound: Outbound, options: ObserveOptions): Outbound {
  return async (request, purpose) => {
    const at = Date.now();
    const started = performance.now();
    const result = await outbound(request, purpose);
    const ms = Math.round(performance.now() - started);
    const mask = (text: string) => maskValues(text, purpose.masked);
    const call: ObservedCall = {
      at,
      method: request.method,
      url: mask(request.url),
      outcome: result.ok ? result.status : result.error,
      ok: result.ok && result.status >= 200 && result.status < 300,
      ms,
      subject: mask(subject(purpose)),
    };
    const why = await reason(result, purpose, options.allowPrivate);
    if (why !== undefined) {
      call.why = mask(why);
      call.way = mask(way(result, purpose, options.bot));
    }
    options.record(call, purpose);
    return result;
  };
}

const indent = '      ';

/** `outbound`, with each call and the reason for each failure written out. */
export function callLog(outbound: Outbound, options: CallLogOptions): Outbound {
  return observeCalls(outbound, {
    bot: options.bot,
    allowPrivate: options.allowPrivate,
    record: (call) => {
      const lines = [`call  ${call.method} ${call.url} → ${call.outcome}, ${call.ms} ms (${call.subject})`];
      if (call.why !== undefined) lines.push(`${indent}${call.why}`, `${indent}${call.way ?? ''}`);
      options.write(`${lines.join('\n')}\n`);
    },
  });
}

function subject(purpose: OutboundPurpose): string {
  if (purpose.kind === 'sign-in') return `sign-in "${purpose.definition ?? ''}"`;
  return `webService step ${purpose.step ?? ''}`;
}

/** Why the call failed, or undefined when it did not. */
async function reason(result: HttpResult, purpose: OutboundPurpose, allowPrivate: boolean): Promise<string | undefined> {
  if (!result.ok) {
    if (result.error === 'blocked-address') {
      const host = result.message.split(' ')[0] ?? '';
      // A copied example bot still calls the demo services, which --demo-services starts.
      const demo = host === `127.0.0.1:${demoServicesPort}` ? ` (or, for the demo services on ${host}, run chat with --demo-services)` : '';
      return `blocked-address: ${await explainBlockedAddress(host, allowPrivate)}${demo}`;
    }
    return `${result.error}: ${result.message}`;
  }
  if (result.status >= 200 && result.status < 300) return undefined;
  const who = purpose.kind === 'sign-in' ? 'the auth service' : 'the API';
  if (purpose.kind === 'sign-in' && result.status < 500) return `${who} answered ${result.status}: it turned the answers down`;
  return `${who} answered ${result.status}`;
}

/** Where the conversation goes after the failed call. */
function way(result: HttpResult, purpose: OutboundPurpose, bot: Bot): string {
  if (purpose.kind === 'sign-in') {
    const definition = purpose.definition === undefined ? undefined : bot.authTokens[purpose.definition];
    const refused = result.ok && result.status < 500;
    const told = refused ? 'the user hears the definition\'s invalidMessage' : 'the user is told the details could not be checked';
    return `a failed try: ${told} and is asked again; after ${definition?.maxAttempts ?? 3} tries the step takes its onFailure way`;
  }
  const [script = '', index = ''] = (purpose.step ?? '').split('#');
  const step = bot.scripts[script]?.steps[Number(index)];
  const onError = step?.type === 'webService' ? step.onError : undefined;
  const retry = result.ok && result.status === 401 ? 'a cached token is dropped and the user signs in again, once; else ' : '';
  const then = onError === undefined ? 'the step has no onError: the user hears a plain apology and the conversation ends' : `the step takes its onError way to "${onError}"`;
  return `${retry}${then}`;
}

