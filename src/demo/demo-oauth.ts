// A tiny OAuth 2.0 authorization server for the demo (scripts/oauth-demo.json): an
// authorization page with a form, one-time codes bound to the client, redirect URI and PKCE
// challenge (S256 only), a token endpoint that checks the verifier, refresh tokens used once,
// and userinfo. It is a demo, NOT FOR PRODUCTION: everything is in memory, any loopback
// redirect URI is accepted, the only client is the public `parley-demo`. Tests use a real,
// certified provider (oidc-provider) instead.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendLoginPage, sendProblemPage } from './demo-page.js';
import type { DemoAccounts } from './demo-services.js';

export const demoClientId = 'parley-demo';

interface Grant {
  user: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
}

const codeLifetimeMs = 60_000;
const accessTokenSeconds = 3600;
// In memory, so bounded: the demo forgets its oldest codes and refresh tokens first.
const maxKept = 1000;

export function demoOAuth(accounts: DemoAccounts): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  const codes = new Map<string, Grant>();
  const refreshTokens = new Map<string, { user: string; clientId: string; scope: string }>();

  const authorizePage = (res: ServerResponse, params: Record<string, string>, problem?: string, username?: string) =>
    sendLoginPage(
      res,
      {
        title: 'Sign in to ACME Bank',
        action: '/oauth/authorize',
        hidden: pick(params, ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'response_type']),
        cancel: true,
        ...(problem !== undefined && { problem }),
        ...(username !== undefined && { username }),
      },
      problem === undefined ? 200 : 401,
    );

  return async (req, res, path) => {
    if (path === '/oauth/authorize' && (req.method === 'GET' || req.method === 'POST')) {
      const params = req.method === 'GET' ? Object.fromEntries(new URL(req.url ?? '/', 'http://demo').searchParams) : await accounts.readForm(req);
      // What cannot be sent back to the client is told here, as RFC 6749 4.1.2.1 says.
      if (params.client_id !== demoClientId) return answered(sendProblemPage(res, 400, `Unknown client "${params.client_id ?? ''}": the demo provider knows only "${demoClientId}".`));
      if (!isLoopbackRedirect(params.redirect_uri)) return answered(sendProblemPage(res, 400, 'The demo provider sends the browser back only to http://127.0.0.1 or http://localhost (set PUBLIC_URL to one).'));
      const back = new URL(params.redirect_uri!);
      const reply = (values: Record<string, string>) => {
        for (const [name, value] of Object.entries(values)) back.searchParams.set(name, value);
        if (params.state !== undefined) back.searchParams.set('state', params.state);
        res.writeHead(303, { location: back.href, 'cache-control': 'no-store' }).end();
        return true;
      };
      if (params.response_type !== 'code') return reply({ error: 'unsupported_response_type' });
      if (params.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge ?? '')) {
        return reply({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
      }
      if (req.method === 'GET') return answered(authorizePage(res, params));
      if (params.cancel !== undefined) return reply({ error: 'access_denied' });
      const user = accounts.check(params.username, params.password);
      if (user === undefined) return answered(authorizePage(res, params, 'That username and password do not match.', params.username));
      const code = randomBytes(24).toString('base64url');
      keep(codes, code, { user, clientId: demoClientId, redirectUri: params.redirect_uri!, challenge: params.code_challenge!, scope: params.scope ?? '', expiresAt: Date.now() + codeLifetimeMs });
      return reply({ code });
    }

    if (path === '/oauth/token' && req.method === 'POST') {
      const form = await accounts.readForm(req);
      if (form.client_id !== demoClientId) return answered(tokenError(res, 401, 'invalid_client'));
      if (form.grant_type === 'authorization_code') {
        const grant = codes.get(form.code ?? '');
        // One use, even when the exchange fails.
        codes.delete(form.code ?? '');
        const verifier = form.code_verifier ?? '';
        if (grant === undefined || grant.expiresAt < Date.now() || grant.redirectUri !== form.redirect_uri || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return answered(tokenError(res, 400, 'invalid_grant'));
        }
        return answered(tokens(res, grant.user, grant.scope));
      }
      if (form.grant_type === 'refresh_token') {
        const held = refreshTokens.get(form.refresh_token ?? '');
        refreshTokens.delete(form.refresh_token ?? '');
        if (held === undefined || held.clientId !== form.client_id) return answered(tokenError(res, 400, 'invalid_grant'));
        return answered(tokens(res, held.user, held.scope));
      }
      return answered(tokenError(res, 400, 'unsupported_grant_type'));
    }

    if (path === '/oauth/userinfo' && req.method === 'GET') {
      const user = accounts.userOf(req);
      if (user === undefined) {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json' }).end('{"error":"invalid_token"}');
        return true;
      }
      const account = accounts.users[user]!;
      json(res, 200, { sub: user, name: account.name, email: `${user}@example.com` });
      return true;
    }
    return false;
  };

  function tokens(res: ServerResponse, user: string, scope: string): void {
    const refresh = randomBytes(24).toString('base64url');
    keep(refreshTokens, refresh, { user, clientId: demoClientId, scope });
    json(res, 200, { access_token: accounts.issue(user), token_type: 'Bearer', expires_in: accessTokenSeconds, refresh_token: refresh, ...(scope !== '' && { scope }) });
  }
}

function isLoopbackRedirect(uri: string | undefined): boolean {
  try {
    const url = new URL(uri ?? '');
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]');
  } catch {
    return false;
  }
}

function tokenError(res: ServerResponse, status: number, error: string): void {
  json(res, status, { error });
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function keep<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= maxKept) map.delete(map.keys().next().value!);
  map.set(key, value);
}

function pick(params: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => params[name] !== undefined).map((name) => [name, params[name]!]));
}

/** A branch that has written its answer: the request was ours. */
function answered(_written: void): true {
  return true;
}
