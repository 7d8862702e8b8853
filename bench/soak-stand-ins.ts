// What the soak's servers talk to besides Redis, all on loopback: Twilio's Messages API, which
// records every late reply as the user's phone would receive it, and a front for the demo
// services that holds some calls back, so some turns outlive the webhook's deadline (their
// replies go out late) or a shutdown's grace (they are interrupted).
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LateMessage {
  from: string;
  to: string;
  body: string;
  /** performance.now() when it arrived. */
  at: number;
}

export interface TwilioStandIn {
  url: string;
  messages: LateMessage[];
  /** Called for each message as it arrives. */
  onMessage(listener: (message: LateMessage) => void): void;
  /** Requests whose Basic credentials were not the account's. */
  refused(): number;
  close(): Promise<void>;
}

/** Answers POST /2010-04-01/Accounts/{sid}/Messages.json as Twilio does (201, a message resource). */
export async function startTwilioStandIn(accountSid: string, authToken: string): Promise<TwilioStandIn> {
  const messages: LateMessage[] = [];
  const listeners: Array<(message: LateMessage) => void> = [];
  const credentials = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  let refused = 0;
  let counter = 0;
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":20404}');
        return;
      }
      if (req.headers.authorization !== credentials) {
        refused += 1;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":20003}');
        return;
      }
      const form = new URLSearchParams(body);
      const message: LateMessage = { from: form.get('From') ?? '', to: form.get('To') ?? '', body: form.get('Body') ?? '', at: performance.now() };
      messages.push(message);
      for (const listener of listeners) listener(message);
      const sid = `SM${String((counter += 1)).padStart(32, '0')}`;
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid, account_sid: accountSid, status: 'queued', from: message.from, to: message.to, body: message.body }));
    });
  });
  const url = await listen(server);
  return { url, messages, onMessage: (listener) => void listeners.push(listener), refused: () => refused, close: () => close(server) };
}

export interface SlowFront {
  url: string;
  /** Calls to /balance held past the webhook's deadline, and held past a shutdown's grace. */
  held(): { late: number; long: number };
  /** Holds every /balance call that arrives within `windowMs` for `delayMs`. */
  holdFor(windowMs: number, delayMs: number): void;
  close(): Promise<void>;
}

/**
 * Forwards to `target`; one /balance call in `lateEvery` waits `lateMs` first, so its turn
 * answers the webhook at the deadline and sends the balance through the REST API.
 */
export async function startSlowFront(target: string, lateEvery: number, lateMs: number): Promise<SlowFront> {
  const origin = new URL(target);
  let balanceCalls = 0;
  let late = 0;
  let long = 0;
  let hold: { until: number; delayMs: number } | undefined;
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      let delayMs = 0;
      if (req.url === '/balance') {
        balanceCalls += 1;
        if (hold !== undefined && performance.now() < hold.until) {
          delayMs = hold.delayMs;
          long += 1;
        } else if (balanceCalls % lateEvery === 0) {
          delayMs = lateMs;
          late += 1;
        }
      }
      setTimeout(() => {
        const forward = request(
          { host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: { ...req.headers, host: origin.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.once('error', () => res.writeHead(502).end());
        forward.end(body);
      }, delayMs);
    });
  });
  const url = await listen(server);
  return {
    url,
    held: () => ({ late, long }),
    holdFor: (windowMs, delayMs) => {
      hold = { until: performance.now() + windowMs, delayMs };
    },
    close: () => close(server),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
