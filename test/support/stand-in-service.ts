// A stand-in for an author's auth service or API: a real HTTP server on loopback that answers
// as each test scripts it and records every request it receives, so a test can assert both
// what the user saw and what the service was sent.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  /** The path as it arrived, still percent-encoded, without the query. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: string;
  /** The body read as JSON, when it is JSON. */
  json?: unknown;
  /** The body read as a form, when it is one. */
  form?: Record<string, string>;
}

/** How the stand-in answers one request. */
export type StandInAnswer =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** Never answers: for time-outs. */
  | { hang: true }
  /** A 200 with this many bytes of JSON-ish filler, streamed without a content-length. */
  | { streamBytes: number };

/** Answers a request; `count` is how many requests this route had, this one included. */
export type StandInHandler = (request: SeenRequest, count: number) => StandInAnswer;

export interface StandInService {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: SeenRequest[];
  /**
   * Scripts a route: `"POST /login"`, or a prefix ending in `*` (`"GET /items/*"`). A later
   * call for the same route replaces the earlier one. Unscripted routes answer 404.
   */
  on(route: string, answer: StandInAnswer | StandInHandler): StandInService;
  /** The requests a route received. */
  to(route: string): SeenRequest[];
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandInService> {
  const routes = new Map<string, StandInHandler>();
  const counts = new Map<string, number>();
  const requests: SeenRequest[] = [];

  const routeOf = (method: string, path: string): string | undefined => {
    const exact = `${method} ${path}`;
    if (routes.has(exact)) return exact;
    let best: string | undefined;
    for (const route of routes.keys()) {
      if (route.endsWith('*') && exact.startsWith(route.slice(0, -1)) && (best === undefined || route.length > best.length)) best = route;
    }
    return best;
  };
  const matches = (route: string, seen: SeenRequest): boolean => {
    const key = `${seen.method} ${seen.path}`;
    return route.endsWith('*') ? key.startsWith(route.slice(0, -1)) : key === route;
  };

  const server = createServer((req, res) => {
    read(req)
      .then((seen) => {
        requests.push(seen);
        const route = routeOf(seen.method, seen.path);
        if (route === undefined) return respond(res, { status: 404, json: { error: 'no such route in this test' } });
        const count = (counts.get(route) ?? 0) + 1;
        counts.set(route, count);
        return respond(res, routes.get(route)!(seen, count));
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const service: StandInService = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    on(route, answer) {
      routes.set(route, typeof answer === 'function' ? answer : () => answer);
      return service;
    },
    to(route) {
      return requests.filter((seen) => matches(route, seen));
    },
    close() {
      // Hanging requests keep their sockets open; drop them so close() returns.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return service;
}

async function read(req: IncomingMessage): Promise<SeenRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = Object.fromEntries(new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)));
  const seen: SeenRequest = { method: req.method ?? 'GET', path, query, headers: req.headers, body };
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      seen.json = JSON.parse(body);
    } catch {
      // left as text
    }
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    seen.form = Object.fromEntries(new URLSearchParams(body));
  }
  return seen;
}

function respond(res: ServerResponse, answer: StandInAnswer): void {
  if ('hang' in answer) return;
  if ('streamBytes' in answer) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let left = answer.streamBytes;
    const pump = (): void => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        // The client hangs up once it has read too much; stop writing then.
        if (res.destroyed) return;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
    return;
  }
  const status = answer.status ?? 200;
  if (answer.json !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.json));
  } else {
    res.writeHead(status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.text ?? '');
  }
}
