// The auth service and the API the demo bot talks to: small, real HTTP servers on loopback,
// so the demo shows the whole product (sign in, call an API with the token, cache it) without
// any account anywhere. Tests use them too, as stand-ins for an author's services.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const demoUsers: Record<string, { password: string; name: string; accountNumber: string; pin: string; balance: number }> = {
  ada: { password: 'lovelace', name: 'Ada Lovelace', accountNumber: '10001', pin: '1815', balance: 1234.56 },
  alan: { password: 'turing', name: 'Alan Turing', accountNumber: '10002', pin: '1912', balance: 42 },
};

export interface DemoServices {
  url: string;
  port: number;
  /** Requests seen, by path (tests assert on them). */
  calls: Map<string, number>;
  close(): Promise<void>;
}

/** Starts the demo auth service and API on 127.0.0.1 (port 0: any free port); `host` for a container of their own. */
export async function startDemoServices(port = 0, host = '127.0.0.1'): Promise<DemoServices> {
  const tokens = new Map<string, string>();
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    calls.set(path, (calls.get(path) ?? 0) + 1);
    handle(req, res, path, tokens).catch(() => send(res, 500, { error: 'internal' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`,
    port: actual,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, path: string, tokens: Map<string, string>): Promise<void> {
  if (req.method === 'POST' && path === '/login') {
    const body = await readJson(req);
    const user = typeof body.username === 'string' ? demoUsers[body.username.toLowerCase()] : undefined;
    if (user === undefined || body.password !== user.password) return send(res, 401, { error: 'invalid credentials' });
    return signedIn(res, tokens, String(body.username).toLowerCase());
  }
  if (req.method === 'POST' && path === '/login-by-pin') {
    const body = await readJson(req);
    const entry = Object.entries(demoUsers).find(([, u]) => u.accountNumber === String(body.account) && u.pin === String(body.pin));
    if (entry === undefined) return send(res, 401, { error: 'invalid credentials' });
    return signedIn(res, tokens, entry[0]);
  }
  const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
  if (user === undefined) return send(res, 401, { error: 'unauthorized' });
  const account = demoUsers[user]!;
  if (req.method === 'GET' && path === '/balance') return send(res, 200, { balance: account.balance.toFixed(2), currency: 'USD', owner: account.name });
  if (req.method === 'POST' && path === '/transfers') {
    const body = await readJson(req);
    const amount = Number(body.amount);
    if (!Number.isFinite(amount) || amount <= 0 || amount > account.balance) return send(res, 422, { error: 'invalid amount' });
    account.balance -= amount;
    return send(res, 201, { id: `tr_${randomBytes(4).toString('hex')}`, balance: account.balance.toFixed(2) });
  }
  return send(res, 404, { error: 'not found' });
}

function signedIn(res: ServerResponse, tokens: Map<string, string>, user: string): void {
  const token = `demo_${randomBytes(12).toString('hex')}`;
  tokens.set(token, user);
  send(res, 200, { access_token: token, expires_in: 3600, user: { id: user, name: demoUsers[user]!.name } });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) break;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
