// The one place where failures become HTTP answers: ParleyError codes map to statuses, body
// parser failures keep their 4xx, and everything else is a 500 that reveals nothing inside.
import type { ErrorRequestHandler } from 'express';
import { ParleyError, type ErrorCode } from '../runtime/errors.js';
import type { Log } from '../runtime/log.js';
import { requestIdOf } from './request-context.js';
import { loggedPath } from './email-routes.js';

const statusOf: Record<ErrorCode, number> = {
  busy: 503,
  interrupted: 503,
  'store-unavailable': 503,
  'bad-request': 400,
  'unsupported-media-type': 415,
  'too-large': 413,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  internal: 500,
};

const plainWords: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  413: 'request body too large',
  415: 'unsupported media type',
  500: 'internal error',
  503: 'unavailable, try again',
};

/**
 * `counted`: told each failure's kind, for /metrics' errors by kind: a ParleyError's code
 * (bad-request, forbidden, unauthorized, not-found, busy, …), `request-refused` for a body the
 * parser refused (too large, malformed), `internal` for anything else.
 */
export function errorHandler(log: Log, counted: (kind: string) => void = () => {}): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = statusFor(error);
    counted(error instanceof ParleyError ? error.code : status < 500 ? 'request-refused' : 'internal');
    const where = { requestId: requestIdOf(res), method: req.method, path: loggedPath(req.path), status };
    if (error instanceof ParleyError) {
      if (status >= 500) log.error({ ...where, code: error.code, err: error }, error.message);
      else log.warn({ ...where, code: error.code }, error.message);
    } else if (status < 500) {
      // A body parser's message can quote the body ("… is not valid JSON"): log its type only.
      log.warn({ ...where, type: typeOf(error) }, 'request refused');
    } else {
      log.error({ ...where, err: error }, 'request failed');
    }
    res.status(status).type('text/plain').send(plainWords[status] ?? (status < 500 ? 'bad request' : 'internal error'));
  };
}

function statusFor(error: unknown): number {
  if (error instanceof ParleyError) return statusOf[error.code];
  // body-parser's errors (too large, malformed, bad charset) carry a 4xx status and expose: true.
  if (typeof error === 'object' && error !== null && 'status' in error && 'expose' in error && error.expose === true) {
    const status = Number(error.status);
    if (Number.isInteger(status) && status >= 400 && status < 500) return status;
  }
  return 500;
}

function typeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string' ? error.type : undefined;
}
