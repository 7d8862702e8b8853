// How a sign-in that happens in the browser ends, whichever route it ends on (/auth/callback,
// POST /auth/email/:code): a page that says what happened; when signed in, the conversation is
// resumed (no code to type) and the browser is sent on to /auth/done, so the address it shows
// and keeps in its history holds no state, provider code or code to type. The page to show
// travels in a short-lived, HttpOnly cookie naming a sealed record in the store.
import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { Engine } from '../runtime/engine.js';
import type { CallbackOutcome } from '../runtime/link-callback.js';
import type { Log } from '../runtime/log.js';
import { resumeConversation } from '../runtime/resume.js';
import { renderPage, type AuthPage } from './auth-pages.js';

export interface AuthRouteDeps {
  engine: Engine;
  log: Log;
  /** PUBLIC_URL: the cookie is Secure when it is https. */
  publicUrl: () => string;
}

export const pageCookie = 'parley_signin';
const pageTtlSeconds = 600;

/** `done`: /auth/done, relative to the route answering (so a PUBLIC_URL with a path prefix keeps it). */
export async function showOutcome(deps: AuthRouteDeps, res: Response, outcome: CallbackOutcome, page: AuthPage, done: string): Promise<void> {
  const { engine } = deps;
  if (outcome.kind !== 'signed-in') {
    sendPage(res, page);
    return;
  }
  if (outcome.resume !== undefined) {
    const { user, conversation, event } = outcome.resume;
    // The page does not wait for the conversation: it goes on in the chat, tracked for shutdown.
    void resumeConversation(engine, { user, conversation }, event).then((result) => {
      if (!result.delivered) deps.log.warn({ reason: result.reason }, 'a signed-in conversation could not be resumed: it goes on at the user’s next message');
    });
  }
  const id = randomBytes(24).toString('base64url');
  await engine.store.keyed.set(pageKey(id), engine.sealer.seal(JSON.stringify(page)), pageTtlSeconds);
  const secure = deps.publicUrl().startsWith('https:') ? '; Secure' : '';
  res.setHeader('set-cookie', `${pageCookie}=${id}; Max-Age=${pageTtlSeconds}; Path=/; HttpOnly; SameSite=Lax${secure}`);
  res.setHeader('cache-control', 'no-store');
  res.redirect(303, done);
}

/** The page kept for /auth/done under the cookie's id, if any. */
export async function keptPage(engine: Engine, cookieHeader: string | undefined): Promise<AuthPage | undefined> {
  const id = cookieOf(cookieHeader, pageCookie);
  const stored = id === undefined ? undefined : await engine.store.keyed.get(pageKey(id));
  try {
    return stored === undefined ? undefined : (JSON.parse(engine.sealer.open(stored)) as AuthPage);
  } catch {
    return undefined;
  }
}

/**
 * Sends a page. Its policy allows no script, no outside asset and no form, but for a page with
 * a button (a mailed link's), whose form may post to this server and nowhere else.
 */
export function sendPage(res: Response, page: AuthPage): void {
  const formAction = page.button === undefined ? "'none'" : "'self'";
  res.status(page.status);
  res.setHeader('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action ${formAction}; frame-ancestors 'none'`);
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.type('html').send(renderPage(page));
}

/** The query as single strings; a repeated or nested parameter is not something a provider sends. */
export function stringQuery(query: unknown): Record<string, string> | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value !== 'string') return undefined;
    out[name] = value;
  }
  return out;
}

function pageKey(id: string): string {
  return `authpage:${createHash('sha256').update(id).digest('base64url')}`;
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
