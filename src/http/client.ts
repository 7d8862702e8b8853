// The one outbound HTTP client, used by the Auth Token and Web Service components. It never
// throws for anything the remote side or the network does: every such failure is a result
// the caller can route on. Messages name at most the host: URLs can carry tokens in their
// path or query, and headers and bodies carry credentials.
import { isIP } from 'node:net';
import { errors, request as undiciRequest, type Dispatcher } from 'undici';
import { privateAllowed, publicOnly, type AddressPolicy } from './address-policy.js';
import { agentFor, BlockedAddressError } from './guarded-agent.js';

export { closeHttp } from './guarded-agent.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** For the whole exchange, redirects included: connect, headers and body. */
  timeoutMs: number;
  /** Largest response body accepted; default 1 MiB. */
  maxBytes?: number;
  /** Redirects followed before giving up; default 3. */
  maxRedirects?: number;
}

export type HttpErrorKind = 'timeout' | 'too-large' | 'blocked-address' | 'network' | 'bad-url' | 'too-many-redirects';

/** Any status, 5xx included, is `ok: true`: what a status means is the caller's business. */
export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; body: string }
  | { ok: false; error: HttpErrorKind; message: string };

export interface HttpOptions {
  /** ALLOW_PRIVATE_NETWORKS: loopback and private networks may be reached. */
  allowPrivate: boolean;
  /** Replaces the policy `allowPrivate` chooses; for tests that need a "public" loopback address. */
  addressPolicy?: AddressPolicy;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 3;
// A redirect's own body is read (up to this much) only so the connection can be reused.
const REDIRECT_BODY_LIMIT = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// What may follow a redirect to another host: nothing that could carry a credential.
const CROSS_HOST_HEADERS = new Set(['accept', 'accept-language', 'user-agent']);
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'transfer-encoding'];

interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Sends one request, following redirects, within the address policy, time and size limits. */
export async function request(req: HttpRequest, options: HttpOptions): Promise<HttpResult> {
  if (!(req.timeoutMs > 0)) throw new RangeError('timeoutMs must be a positive number');
  const policy = options.addressPolicy ?? (options.allowPrivate ? privateAllowed : publicOnly);
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxRedirects = req.maxRedirects ?? DEFAULT_MAX_REDIRECTS;

  const first = parseTarget(req.url);
  if (typeof first === 'string') return failure('bad-url', first);
  let hop: Hop = { url: first, method: req.method, headers: lowerCaseKeys(req.headers ?? {}), body: req.body };

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  try {
    for (let redirects = 0; ; redirects += 1) {
      const literal = hostLiteral(hop.url);
      if (literal !== undefined && !policy(literal)) {
        return failure('blocked-address', `${hop.url.host} is an address outbound calls may not reach`);
      }
      const response = await send(hop, policy, controller.signal);
      const next = REDIRECTS.has(response.statusCode) ? redirectHop(hop, response) : undefined;
      if (next === undefined) return await readBody(response, maxBytes, hop.url.host);
      await response.body.dump({ limit: REDIRECT_BODY_LIMIT, signal: controller.signal }).catch(() => undefined);
      if (typeof next === 'string') return failure('bad-url', next);
      if (redirects >= maxRedirects) {
        return failure('too-many-redirects', `more than ${maxRedirects} redirects, the last from ${hop.url.host}`);
      }
      hop = next;
    }
  } catch (error) {
    return describeError(error, controller.signal.aborted, hop.url.host, req.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

function send(hop: Hop, policy: AddressPolicy, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return undiciRequest(hop.url, {
    dispatcher: agentFor(policy),
    method: hop.method as Dispatcher.HttpMethod,
    headers: hop.headers,
    body: hop.body ?? null,
    signal,
  });
}

/** The URL, or why it cannot be called. */
function parseTarget(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'the URL is not a valid absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme ${url.protocol} is not http or https`;
  if (url.username !== '' || url.password !== '') return 'credentials in a URL are not sent; use a header';
  return url;
}

/**
 * The WHATWG parser already turned every IPv4 spelling (127.1, 0x7f000001, 2130706433,
 * 0177.0.0.1) into dotted decimal and IPv6 into its short form; what is left is an IP
 * literal or a name for the lookup to resolve.
 */
function hostLiteral(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? undefined : host;
}

/**
 * The next request after a redirect; a reason string when the redirect goes where this client
 * does not go; undefined when the redirect is not followed and its own answer is returned.
 */
function redirectHop(hop: Hop, response: Dispatcher.ResponseData): Hop | string | undefined {
  const location = single(response.headers['location']);
  if (location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return `${hop.url.host} redirected to an invalid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${hop.url.host} redirected to a ${url.protocol} URL`;
  if (url.username !== '' || url.password !== '') return `${hop.url.host} redirected to a URL with credentials`;

  // Credentials written for one host must not travel to another, nor leave TLS.
  if (hop.url.protocol === 'https:' && url.protocol === 'http:') return undefined;
  const sameHost = url.origin === hop.url.origin || (url.hostname === hop.url.hostname && url.protocol === 'https:' && url.port === '');

  const keepsBody = response.statusCode === 307 || response.statusCode === 308;
  if (keepsBody && hop.body !== undefined && !sameHost) return undefined;

  let headers = { ...hop.headers };
  if (!keepsBody) for (const name of BODY_HEADERS) delete headers[name];
  if (!sameHost) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => CROSS_HOST_HEADERS.has(name)));
  return keepsBody ? { url, method: hop.method, headers, body: hop.body } : { url, method: 'GET', headers, body: undefined };
}

async function readBody(response: Dispatcher.ResponseData, maxBytes: number, host: string): Promise<HttpResult> {
  const tooLarge = (): HttpResult => failure('too-large', `the answer from ${host} is larger than ${maxBytes} bytes`);
  const declared = Number(single(response.headers['content-length']));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    return tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      response.body.destroy();
      return tooLarge();
    }
    chunks.push(buffer);
  }
  return { ok: true, status: response.statusCode, headers: flatHeaders(response.headers), body: Buffer.concat(chunks, size).toString('utf8') };
}

function describeError(error: unknown, timedOut: boolean, host: string, timeoutMs: number): HttpResult {
  if (timedOut) return failure('timeout', `no complete answer from ${host} within ${timeoutMs} ms`);
  if (error instanceof BlockedAddressError || (error instanceof Error && error.cause instanceof BlockedAddressError)) {
    return failure('blocked-address', `${host} resolves to an address outbound calls may not reach`);
  }
  // undici's own argument messages can quote a header; only the kind is told.
  if (error instanceof errors.InvalidArgumentError) return failure('network', `the request to ${host} was not sent: a header or the method is invalid`);
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
  return failure('network', `could not get an answer from ${host}${code}`);
}

function failure(error: HttpErrorKind, message: string): HttpResult {
  return { ok: false, error, message };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function flatHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
