// OAuth 2.0 / OpenID Connect through openid-client: the provider's configuration (discovered
// from `issuer`, or the endpoints the author names), the authorization link with PKCE (S256)
// and `state`, the code exchange at the callback, and the refresh. Every request it makes goes
// through the engine's Outbound, so address checks, time-outs, the console's call log and the
// conversation tests' stand-ins apply to the provider as to any service.
//
// openid-client (with jose and oauth4webapi) is imported at the first OAuth sign-in or
// refresh, not when a server or the console starts.
import type * as oidc from 'openid-client';
import type { OAuthDefinition } from '../bot/schema.js';
import type { HttpMethod } from '../http/client.js';
import type { Outbound, OutboundPurpose } from '../http/outbound.js';
import type { JsonValue } from '../json.js';
import { renderText } from '../templates/render.js';

let library: Promise<typeof oidc> | undefined;
const openid = () => (library ??= import('openid-client'));

export interface ProviderSession {
  config: oidc.Configuration;
  /** Values its requests carry that must never be shown (the client secret). */
  masked: string[];
}

export interface ProviderTokens {
  accessToken: string;
  refreshToken?: string;
  /** Seconds, when the provider says. */
  expiresIn?: number;
  account?: string;
}

export interface OAuthProviders {
  /** `key`: the bot and definition ids, which name a configuration in this process. */
  session(key: { bot: string; definition: string }, definition: OAuthDefinition, lookup: (name: string) => JsonValue | undefined): Promise<ProviderSession>;
}

/**
 * One configuration per definition, discovered once per process; a failed discovery is not
 * kept, so the next sign-in tries again. `insecure`: http:// providers are allowed (loopback
 * development, tests: ALLOW_PRIVATE_NETWORKS).
 */
export function createOAuthProviders(outbound: Outbound, options: { insecure: boolean; timeoutSeconds?: number }): OAuthProviders {
  const known = new Map<string, Promise<ProviderSession>>();
  return {
    session(key, definition, lookup) {
      const render = (template: string | undefined) => (template === undefined ? undefined : renderText(template, lookup, () => undefined));
      const clientSecret = render(definition.clientSecret);
      const cacheKey = JSON.stringify([key.bot, key.definition, definition.issuer, definition.authorizationUrl, definition.tokenUrl, definition.clientId, clientSecret === undefined]);
      let found = known.get(cacheKey);
      if (found === undefined) {
        found = configure(definition, render, clientSecret, outbound, options, key);
        known.set(cacheKey, found);
        found.catch(() => known.delete(cacheKey));
      }
      return found;
    },
  };
}

async function configure(
  definition: OAuthDefinition,
  render: (template: string | undefined) => string | undefined,
  clientSecret: string | undefined,
  outbound: Outbound,
  options: { insecure: boolean; timeoutSeconds?: number },
  key: { bot: string; definition: string },
): Promise<ProviderSession> {
  const client = await openid();
  const masked = clientSecret === undefined ? [] : [clientSecret];
  const fetch = outboundFetch(outbound, { kind: 'sign-in', definition: key.definition, masked }, (options.timeoutSeconds ?? definition.timeout) * 1000);
  const clientId = render(definition.clientId) ?? '';
  const auth = clientSecret === undefined ? client.None() : client.ClientSecretPost(clientSecret);
  const execute = options.insecure ? [client.allowInsecureRequests] : [];
  let config: oidc.Configuration;
  const issuer = render(definition.issuer);
  if (issuer !== undefined) {
    config = await client.discovery(new URL(issuer), clientId, undefined, auth, { [client.customFetch]: fetch, execute });
  } else {
    const tokenUrl = render(definition.tokenUrl) ?? '';
    const userinfo = render(definition.userinfoUrl);
    const metadata: oidc.ServerMetadata = {
      issuer: new URL(tokenUrl).origin,
      authorization_endpoint: render(definition.authorizationUrl) ?? '',
      token_endpoint: tokenUrl,
      ...(userinfo !== undefined && { userinfo_endpoint: userinfo }),
    };
    config = new client.Configuration(metadata, clientId, undefined, auth);
    config[client.customFetch] = fetch;
    for (const apply of execute) apply(config);
  }
  config.timeout = options.timeoutSeconds ?? definition.timeout;
  return { config, masked };
}

/** The authorization link: PKCE S256 and `state`, the author's scopes and extra parameters. */
export async function authorizationLink(
  session: ProviderSession,
  definition: OAuthDefinition,
  callbackUrl: string,
  state: string,
  verifier: string,
  lookup: (name: string) => JsonValue | undefined,
): Promise<string> {
  const params: Record<string, string> = {};
  for (const [name, template] of Object.entries(definition.params ?? {})) params[name] = renderText(template, lookup, () => undefined);
  const scopes = definition.scopes.length > 0 ? definition.scopes : definition.issuer !== undefined ? ['openid'] : [];
  const client = await openid();
  return client
    .buildAuthorizationUrl(session.config, {
      ...params,
      redirect_uri: callbackUrl,
      ...(scopes.length > 0 && { scope: scopes.join(' ') }),
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    .toString();
}

/** A new PKCE code verifier. */
export async function newVerifier(): Promise<string> {
  return (await openid()).randomPKCECodeVerifier();
}

/** Exchanges the callback's code; the account from the verified ID token, else userinfo. */
export async function exchangeCode(session: ProviderSession, definition: OAuthDefinition, callbackUrl: URL, state: string, verifier: string): Promise<ProviderTokens> {
  const answer = await (await openid()).authorizationCodeGrant(session.config, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: false });
  return { ...tokensOf(answer), ...withAccount(await accountOf(session, definition, answer)) };
}

/**
 * The provider's own refusal of a code (invalid or used, a PKCE mismatch): its OAuth error
 * code. Undefined for any other failure (the provider could not be reached).
 */
export async function providerRefusal(error: unknown): Promise<string | undefined> {
  const client = await openid();
  return error instanceof client.ResponseBodyError || error instanceof client.AuthorizationResponseError ? error.error : undefined;
}

/** A refresh token is used once: the provider's new one (if any) replaces it. */
export async function refresh(session: ProviderSession, refreshToken: string): Promise<ProviderTokens> {
  return tokensOf(await (await openid()).refreshTokenGrant(session.config, refreshToken));
}

function tokensOf(answer: oidc.TokenEndpointResponse): ProviderTokens {
  return {
    accessToken: answer.access_token,
    ...(answer.refresh_token !== undefined && { refreshToken: answer.refresh_token }),
    ...(typeof answer.expires_in === 'number' && answer.expires_in > 0 && { expiresIn: answer.expires_in }),
  };
}

function withAccount(account: string | undefined): { account?: string } {
  return account === undefined ? {} : { account };
}

async function accountOf(session: ProviderSession, definition: OAuthDefinition, answer: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Promise<string | undefined> {
  const claims = answer.claims();
  const fromToken = claims?.[definition.accountClaim];
  if (typeof fromToken === 'string' || typeof fromToken === 'number') return String(fromToken);
  if (session.config.serverMetadata().userinfo_endpoint === undefined) return claims?.sub;
  const client = await openid();
  const info = await client.fetchUserInfo(session.config, answer.access_token, claims?.sub ?? client.skipSubjectCheck);
  const fromInfo = info[definition.accountClaim];
  return typeof fromInfo === 'string' || typeof fromInfo === 'number' ? String(fromInfo) : info.sub;
}

/** openid-client's fetch, answered by the engine's Outbound (which never throws: failures become a TypeError, as fetch's). */
function outboundFetch(outbound: Outbound, purpose: OutboundPurpose, timeoutMs: number): oidc.CustomFetch {
  return async (url, options) => {
    const headers: Record<string, string> = {};
    new Headers(options.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = options.body === undefined || options.body === null ? undefined : typeof options.body === 'string' ? options.body : options.body instanceof URLSearchParams ? options.body.toString() : undefined;
    const result = await outbound({ method: options.method.toUpperCase() as HttpMethod, url, headers, ...(body === undefined ? {} : { body }), timeoutMs, maxRedirects: 0 }, purpose);
    if (!result.ok) throw new TypeError(`fetch failed: ${result.error}`);
    return new Response(result.status === 204 || result.status === 304 ? null : result.body, { status: result.status, headers: result.headers });
  };
}
