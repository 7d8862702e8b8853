// The auth service and the API the demo bot talks to: small, real HTTP servers on loopback,
// so the demo shows the whole product (sign in, call an API with the token, cache it) without
// any account anywhere. Tests use them too, as stand-ins for an author's services. For the
// sign-in-by-link examples the same server plays an OAuth 2 provider (demo-oauth.ts) and
// Botize's web-based begin/end service (demo-botize.ts), with their sign-in pages, and the
// email sign-in service (demo-email-auth.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoBotize } from './demo-botize.js';
import { demoOAuth } from './demo-oauth.js';
import { demoEmailAuth } from './demo-email-auth.js';

export const demoUsers: Record<string, { password: string; name: string; accountNumber: string; pin: string; balance: number }> = {
  ada: { password: 'lovelace', name: 'Ada Lovelace', accountNumber: '10001', pin: '1815', balance: 1234.56 },
  alan: { password: 'turing', name: 'Alan Turing', accountNumber: '10002', pin: '1912', balance: 42 },
};

/** What the demo's sign-in services share with its API: the users, and the tokens the API takes. */
export interface DemoAccounts {
  users: typeof demoUsers;
  /** The demo user name for a username and password, or undefined. */
  check(username: string | undefined, password: string | undefined): string | undefined;
  /** A new access token the demo API takes for `user`. */
  issue(user: string): string;
  /** The user of the request's bearer token. */
  userOf(req: IncomingMessage): string | undefined;
  readJson(req: IncomingMessage): Promise<Record<string, unknown>>;
  readForm(req: IncomingMessage): Promise<Record<string, string>>;
}

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
  const accounts: DemoAccounts = {
    users: demoUsers,
    check: (username, password) => {
      const name = (username ?? '').trim().toLowerCase();
      return demoUsers[name] !== undefined && demoUsers[name].password === password ? name : undefined;
    },
    issue: (user) => newToken(tokens, user),
    userOf: (req) => tokens.get((req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')),
    readJson,
    readForm,
  };
  let actual = port;
  const signIns = [demoOAuth(accounts), demoBotize(accounts, () => `http://127.0.0.1:${actual}`)];
  const emailAuth = demoEmailAuth();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const path = url.pathname;
    calls.set(path, (calls.get(path) ?? 0) + 1);
    (async () => {
      if (await emailAuth.handle(req, res, url)) return;
      for (const signIn of signIns) if (await signIn(req, res, path)) return;
      await handle(req, res, path, tokens);
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  actual = (server.address() as AddressInfo).port;
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
  // Botize-shaped: 200 whatever the credentials, the verdict in `valid_credentials`, the token an
  // object (`auth_data_to_save`) that the bot sends back as it got it.
  if (req.method === 'POST' && path === '/authenticate_user') {
    const body = await readJson(req);
    const name = typeof body.username === 'string' ? body.username.toLowerCase() : '';
    const user = demoUsers[name];
    if (user === undefined || body.password !== user.password) return send(res, 200, { valid_credentials: 'false', user_id: '', auth_data_to_save: {} });
    const session = `bz_${randomBytes(12).toString('hex')}`;
    tokens.set(session, name);
    return send(res, 200, { valid_credentials: 'true', user_id: user.name, auth_data_to_save: { session, user: name } });
  }
  if (req.method === 'POST' && path === '/account_summary') {
    const body = await readJson(req);
    const saved: unknown = typeof body.auth_data === 'string' ? parseJson(body.auth_data) : body.auth_data;
    const session = saved !== null && typeof saved === 'object' && 'session' in saved ? String(saved.session) : '';
    const name = tokens.get(session);
    if (name === undefined || !session.startsWith('bz_')) return send(res, 401, { error: 'unauthorized' });
    const account = demoUsers[name]!;
    return send(res, 200, { name: account.name, balance: account.balance.toFixed(2), currency: 'USD' });
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
  send(res, 200, { access_token: newToken(tokens, user), expires_in: 3600, user: { id: user, name: demoUsers[user]!.name } });
}

function newToken(tokens: Map<string, string>, user: string): string {
  const token = `demo_${randomBytes(12).toString('hex')}`;
  tokens.set(token, user);
  return token;
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) break;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
