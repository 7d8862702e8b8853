// What `parley chat` tells the author on standard error: every call a bot makes (method, URL
// with its tokens and secret answers masked, status or error, time) and, when one fails, why
// and which way the bot goes next. The server's log says less on purpose; the console is the
// author's own terminal, where "Sorry, I couldn't check your details" needs its reason.
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

const indent = '      ';

/** `outbound`, with each call and the reason for each failure written out. */
export function callLog(outbound: Outbound, options: CallLogOptions): Outbound {
  return async (request, purpose) => {
    const started = performance.now();
    const result = await outbound(request, purpose);
    const ms = Math.round(performance.now() - started);
    const lines = [`call  ${request.method} ${request.url} → ${result.ok ? result.status : result.error}, ${ms} ms (${subject(purpose)})`];
    const why = await reason(result, purpose, options.allowPrivate);
    if (why !== undefined) lines.push(`${indent}${why}`, `${indent}${way(result, purpose, options.bot)}`);
    options.write(`${lines.map((line) => maskValues(line, purpose.masked)).join('\n')}\n`);
    return result;
  };
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

