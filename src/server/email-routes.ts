// GET and POST /auth/email/:code: the page a mailed link opens (mode email). GET only reads the
// link and shows a button, so a mail scanner that opens every link spends nothing; the button's
// POST confirms the link with the auth service, once, and ends like any sign-in in the browser
// (sign-in-browser.ts). The code in the path is a bearer secret until used: the request log
// shows it as `:code` (loggedPath).
import { Router, type Request } from 'express';
import { confirmedPage, landingPage } from './email-pages.js';
import { sendPage, showOutcome, stringQuery, type AuthRouteDeps } from './sign-in-browser.js';

export function emailRoutes(deps: AuthRouteDeps): Router {
  const { engine } = deps;
  const router = Router();

  router.get('/auth/email/:code', async (req, res) => {
    const query = stringQuery(req.query);
    const landing = query === undefined ? ({ kind: 'unknown' } as const) : await engine.links.emailLanding(req.params.code, query);
    deps.log.info({ outcome: landing.kind }, 'sign-in link opened');
    sendPage(res, landingPage(landing, actionOf(req)));
  });

  router.post('/auth/email/:code', async (req, res) => {
    // The form sends nothing: the link (its code, and the service's code in its query) is all.
    req.resume();
    const query = stringQuery(req.query);
    const outcome = query === undefined ? ({ kind: 'unknown' } as const) : await engine.links.confirmEmail(req.params.code, query);
    deps.log.info({ outcome: outcome.kind }, 'sign-in link confirmed');
    // From /auth/email/CODE, /auth/done is one level up.
    await showOutcome(deps, res, outcome, confirmedPage(outcome, actionOf(req)), '../done');
  });
  return router;
}

/** The button posts to the link itself, relative to its page: the code and the service's query kept. */
function actionOf(req: Request): string {
  const code = String(req.params.code ?? '');
  const at = req.originalUrl.indexOf('?');
  return encodeURIComponent(code) + (at < 0 ? '' : req.originalUrl.slice(at));
}

/** What a log line may show of a request path: a mailed link's code is a working link until used. */
export function loggedPath(path: string): string {
  return path.replace(/\/auth\/email\/.*$/s, '/auth/email/:code');
}
