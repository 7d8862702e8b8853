// A real OpenID Provider on loopback: oidc-provider 9 (certified), with a confidential and a
// public client, PKCE required, its development login page (any login, any password, then a
// consent), short access tokens and refresh tokens for `offline_access`. Parley reaches it
// over HTTP like any provider. Beside it, on the same port under /api/, a resource server that
// accepts only the provider's live access tokens and keeps every bearer token it was shown.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type ProviderClass from 'oidc-provider';

export const confidentialClient = { id: 'parley-confidential', secret: 'op-client-secret-4e7c0b9a5d13' };
export const publicClient = { id: 'parley-public' };

export interface OidcProviderOptions {
  /** Seconds an access token lives (the provider's `ttl.AccessToken`); 60 unless a test needs less. */
  accessTokenSeconds?: number;
  /**
   * true: the claims of the scopes asked for (`email`) are in the ID token too; false (the
   * provider's default, conformIdTokenClaims): only in userinfo when an access token is issued.
   */
  claimsInIdToken?: boolean;
}

export interface IssuedToken {
  value: string;
  /** How it was got: `authorization_code` or `refresh_token`. */
  grant: string;
  account: string;
}

export interface OidcProvider {
  /** `http://127.0.0.1:PORT`: the issuer, for discovery. */
  issuer: string;
  /**
   * Registers the redirect URI (Parley's /auth/callback, known once its server listens) and
   * starts the provider: until then every request answers 503.
   */
  ready(redirectUri: string): void;
  /** Access tokens the provider issued, in order. */
  issued: IssuedToken[];
  /** Refresh tokens the provider issued, in order. */
  refreshTokens: string[];
  /** Revokes an access or refresh token at the provider: the API refuses it (401), the token endpoint too. */
  revoke(value: string): Promise<void>;
  /** Every request the provider got: `METHOD /path` (the query left out). */
  requests: string[];
  /** `GET /api/balance`: 200 `{ balance, account }` for a live access token, 401 otherwise. */
  apiUrl: string;
  /** The bearer tokens the API was shown, in order, with its answer's status. */
  apiSeen: Array<{ token: string; status: number }>;
  close(): Promise<void>;
}

// It warns on import that Node 20 is not the LTS it is tested on; it runs on it (libraries.md).
const Provider = await quietly(async () => (await import('oidc-provider')).default);
type Provider = ProviderClass;

const signingKey = await generateKeyPair('RS256', { extractable: true });
const jwks = { keys: [{ ...(await exportJWK(signingKey.privateKey)), kid: 'op-test-key', use: 'sig', alg: 'RS256' }] };

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcProvider> {
  let provider: Provider | undefined;
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const issued: IssuedToken[] = [];
  const refreshTokens: string[] = [];
  const requests: string[] = [];
  const apiSeen: Array<{ token: string; status: number }> = [];

  const server = createServer((req, res) => {
    requests.push(`${req.method} ${(req.url ?? '/').split('?')[0]}`);
    if (handle === undefined || provider === undefined) {
      res.writeHead(503).end();
      return;
    }
    if (req.url?.startsWith('/api/')) {
      void api(provider, req, res, apiSeen);
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    issued,
    refreshTokens,
    async revoke(value) {
      const token = (await provider?.AccessToken.find(value)) ?? (await provider?.RefreshToken.find(value));
      if (token === undefined) throw new Error('the provider knows no such token');
      await token.destroy();
    },
    requests,
    apiUrl: `${issuer}/api`,
    apiSeen,
    ready(redirectUri) {
      const common = { redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
      provider = quietly(() => new Provider(issuer, {
        clients: [
          { ...common, client_id: confidentialClient.id, client_secret: confidentialClient.secret, token_endpoint_auth_method: 'client_secret_post' },
          { ...common, client_id: publicClient.id, token_endpoint_auth_method: 'none' },
        ],
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true } },
        jwks,
        cookies: { keys: ['op-cookie-key-for-tests'] },
        scopes: ['openid', 'offline_access', 'email'],
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        conformIdTokenClaims: options.claimsInIdToken !== true,
        // The dev login takes any login: the account is that login, its address login@example.com.
        findAccount: (_ctx: unknown, id: string) => ({
          accountId: id,
          claims: () => ({ sub: id, email: `${id}@example.com`, email_verified: true }),
        }),
        ttl: { AccessToken: options.accessTokenSeconds ?? 60, AuthorizationCode: 60, IdToken: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600 },
      }));
      provider.on('access_token.saved', (token: { jti: string; gty?: string; accountId: string }) => {
        // `gty` lists every grant in the token's line: the last one made this token.
        issued.push({ value: token.jti, grant: token.gty?.split(' ').at(-1) ?? '', account: token.accountId });
      });
      provider.on('refresh_token.saved', (token: { jti: string }) => {
        if (!refreshTokens.includes(token.jti)) refreshTokens.push(token.jti);
      });
      handle = provider.callback();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Without the provider's warnings about its development-only parts, which are what a test wants. */
function quietly<T>(make: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING')) return;
    warn(...args);
  };
  const restore = () => {
    console.warn = warn;
  };
  try {
    const made = make();
    if (made instanceof Promise) return made.finally(restore) as T;
    restore();
    return made;
  } catch (error) {
    restore();
    throw error;
  }
}

/** A resource server: the bearer token must be one the provider issued and that is still live. */
async function api(provider: Provider, req: IncomingMessage, res: ServerResponse, seen: Array<{ token: string; status: number }>): Promise<void> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const found = token === '' ? undefined : await provider.AccessToken.find(token);
  const status = found === undefined ? 401 : 200;
  seen.push({ token, status });
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(found === undefined ? { error: 'invalid_token' } : { balance: 42, account: found.accountId }));
}

/**
 * What a browser does at the provider, with fetch: opens the link, signs in on the dev login
 * page as `login`, consents, and stops at the redirect back to the client, which it returns
 * (the provider's `code`, `state` and `iss` in its query). `decline`: cancels at the login page.
 */
export async function signInAtProvider(link: string, login: string, options: { decline?: boolean } = {}): Promise<URL> {
  const start = new URL(link);
  const cookies = new Map<string, string>();
  const request = async (url: URL, init: RequestInit = {}) => {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie !== '' && { cookie }) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };

  let url = start;
  let response = await request(url);
  for (let hops = 0; hops < 20; hops++) {
    const location = response.headers.get('location');
    if (location !== null) {
      url = new URL(location, url);
      // Back to the client: that is where the browser would go next.
      if (url.origin !== start.origin) return url;
      response = await request(url);
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${page.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1];
    if (action === undefined || prompt === undefined) throw new Error(`no form on the provider's page ${url.pathname}`);
    if (options.decline === true) {
      response = await request(new URL(`${url.pathname.replace(/\/$/, '')}/abort`, url));
      continue;
    }
    const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
    response = await request(new URL(action, url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }
  throw new Error('the provider kept redirecting');
}
