// The one way effects reach the outside world. Production sends through the guarded HTTP
// client; conversation tests put stand-ins here; the console and the studio wrap it to show
// the author each call. Wrappers never see a secret they could not mask: `masked` lists the
// values in the request (tokens, secret answers, `{secret.*}`) that must not be shown.
import type { HttpOptions, HttpRequest, HttpResult } from './client.js';

export interface OutboundPurpose {
  /** What the call is for: a sign-in to an Auth Token definition, or a Web Service step. */
  kind: 'sign-in' | 'web-service';
  /** The Web Service step that asked for it (`script#index`); a sign-in has none of its own. */
  step?: string;
  /** The Auth Token definition, for a sign-in or a call that carries its token. */
  definition?: string;
  /** Values that appear in the request and must never be displayed or recorded. */
  masked: readonly string[];
}

export type Outbound = (request: HttpRequest, purpose: OutboundPurpose) => Promise<HttpResult>;

/** Sends for real, within the address policy. The client (undici) is loaded by the first call: a bot that calls nothing, or a server starting, does without it. */
export function networkOutbound(options: HttpOptions): Outbound {
  let client: Promise<typeof import('./client.js')> | undefined;
  return async (req) => {
    client ??= import('./client.js');
    return (await client).request(req, options);
  };
}

/** Replaces every masked value in a text (a URL, a body) by `***`, longest first. */
export function maskValues(text: string, masked: readonly string[]): string {
  let out = text;
  for (const value of [...masked].filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(value).join('***');
    const encoded = encodeURIComponent(value);
    if (encoded !== value) out = out.split(encoded).join('***');
  }
  return out;
}
