// GET /auth/callback: the browser's return from a sign-in page (oauth, web). The sign-in is
// finished (engine.links), then the browser is sent on to /auth/done, so the address it shows
// and keeps in its history holds no state, provider code or code to type; the page to show
// travels in a short-lived, HttpOnly cookie naming a sealed record in the store.
import { createHash, randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import type { Engine } from '../runtime/engine.js';
import type { Log } from '../runtime/log.js';
import { resumeConversation } from '../runtime/resume.js';
import { pageFor, renderPage, type AuthPage } from './auth-pages.js';

export interface AuthRouteDeps {
  engine: Engine;
  log: Log;
  /** PUBLIC_URL: the cookie is Secure when it is https. */
  publicUrl: () => string;
}

const cookieName = 'parley_signin';
const pageTtlSeconds = 600;

export function authRoutes(deps: AuthRouteDeps): Router {
  const { engine } = deps;
  const router = Router();

  router.get('/auth/callback', async (req, res) => {
    const query = stringQuery(req.query);
    const outcome = query === undefined ? ({ kind: 'unknown' } as const) : await engine.links.complete(query);
    const page = pageFor(outcome);
    deps.log.info({ outcome: outcome.kind }, 'sign-in callback');
    if (outcome.kind !== 'signed-in') {
      send(res, page);
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
    res.setHeader('set-cookie', `${cookieName}=${id}; Max-Age=${pageTtlSeconds}; Path=/; HttpOnly; SameSite=Lax${secure}`);
    res.setHeader('cache-control', 'no-store');
    // Relative, so a PUBLIC_URL with a path prefix keeps it.
    res.redirect(303, 'done');
  });

  router.get('/auth/done', async (req, res) => {
    const id = cookieOf(req.headers.cookie, cookieName);
    const stored = id === undefined ? undefined : await engine.store.keyed.get(pageKey(id));
    let page: AuthPage | undefined;
    try {
      page = stored === undefined ? undefined : (JSON.parse(engine.sealer.open(stored)) as AuthPage);
    } catch {
      page = undefined;
    }
    send(res, page ?? { status: 404, title: 'Nothing to show here', lines: ['This page shows the end of a sign-in, for a few minutes. Go back to the chat to carry on.'] });
  });
  return router;
}

function send(res: Response, page: AuthPage): void {
  res.status(page.status);
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-content-type-options', 'nosniff');
  res.type('html').send(renderPage(page));
}

/** The query as single strings; a repeated or nested parameter is not something a provider sends. */
function stringQuery(query: unknown): Record<string, string> | undefined {
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
