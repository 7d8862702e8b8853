// The request a piece of work belongs to, for the log: every line written while a request is
// handled (the turn it runs, its late replies, its errors) carries the request's id, without
// the runtime or the channels passing it along.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

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

/** Gives the request an id (X-Request-Id when acceptable), answers it in X-Request-Id, and runs the rest in its context. */
export function withRequestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && acceptable.test(given) ? given : newRequestId();
    res.setHeader('x-request-id', requestId);
    requestContext.run({ requestId }, next);
  };
}
