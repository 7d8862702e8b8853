// The request a piece of work belongs to, for the log. The request line and the error handler's
// lines name it always. Every other line written while a request is handled (the turn it runs,
// its late replies) names it too where that is cheap: on Node 24, whose AsyncLocalStorage keeps
// its store in the async context frame. Node 20 and 22 track every promise with a hook for it,
// which cost the webhook about a sixth of its throughput in `npm run bench`; there those lines
// carry the conversation's digest but no request id.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** Whether work started by a request carries its id to every line (AsyncContextFrame: Node 24, or 22 with the flag). */
export const requestIdsFollowWork = asyncContextFrame();

function asyncContextFrame(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (flags.includes('--no-async-context-frame')) return false;
  if (flags.includes('--experimental-async-context-frame')) return true;
  return Number(process.versions.node.split('.')[0]) >= 24;
}

// A load balancer's id is kept when it looks like one (so its logs and ours line up); anything
// else, a header that could carry text into the log, is replaced by our own.
const acceptable = /^[A-Za-z0-9._:-]{8,64}$/;
// Ids as a random process prefix and a count: unique across instances, no randomness per request.
const processPrefix = randomBytes(6).toString('base64url');
let count = 0;

export function newRequestId(): string {
  count = (count + 1) % Number.MAX_SAFE_INTEGER;
  return `${processPrefix}-${count.toString(36)}`;
}

/** The id `giveRequestId` gave this request. */
export function requestIdOf(res: { locals: Record<string, unknown> }): string | undefined {
  const id = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/** Gives the request an id (X-Request-Id when acceptable) and answers it in X-Request-Id. */
export function giveRequestId(req: IncomingMessage, res: { setHeader(name: string, value: string): unknown; locals: Record<string, unknown> }): string {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && acceptable.test(given) ? given : newRequestId();
  res.setHeader('x-request-id', requestId);
  res.locals.requestId = requestId;
  return requestId;
}

/** Runs `work` in the request's context, where that is cheap (`requestIdsFollowWork`). */
export function inRequestContext(requestId: string, work: () => void): void {
  if (requestIdsFollowWork) requestContext.run({ requestId }, work);
  else work();
}
