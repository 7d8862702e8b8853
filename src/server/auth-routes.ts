// GET /auth/callback: the browser's return from a sign-in page (oauth, web). The sign-in is
// finished (engine.links), then the browser is sent on to /auth/done (sign-in-browser.ts), which
// shows how it ended. A mailed link's page and button (email) are email-routes.ts.
import { Router } from 'express';
import { pageFor } from './auth-pages.js';
import { emailRoutes } from './email-routes.js';
import { keptPage, sendPage, showOutcome, stringQuery, type AuthRouteDeps } from './sign-in-browser.js';

export type { AuthRouteDeps } from './sign-in-browser.js';

export function authRoutes(deps: AuthRouteDeps): Router {
  const { engine } = deps;
  const router = Router();

  router.get('/auth/callback', async (req, res) => {
    const query = stringQuery(req.query);
    const outcome = query === undefined ? ({ kind: 'unknown' } as const) : await engine.links.complete(query);
    deps.log.info({ outcome: outcome.kind }, 'sign-in callback');
    // Relative, so a PUBLIC_URL with a path prefix keeps it.
    await showOutcome(deps, res, outcome, pageFor(outcome), 'done');
  });

  router.get('/auth/done', async (req, res) => {
    const page = await keptPage(engine, req.headers.cookie);
    sendPage(res, page ?? { status: 404, title: 'Nothing to show here', lines: ['This page shows the end of a sign-in, for a few minutes. Go back to the chat to carry on.'] });
  });

  router.use(emailRoutes(deps));
  return router;
}
