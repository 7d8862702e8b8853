// The operators' routes (shared/spec/server.md): GET and DELETE /admin/conversations/:channel/:user
// and DELETE /admin/users/:channel/:user, under `Authorization: Bearer $ADMIN_TOKEN`.
//
// Mounted before the request log, because their paths hold a user's phone number: these
// routes write their own lines, naming the user by a keyed digest only, and answer their own
// errors. Without ADMIN_TOKEN they answer 404 as if they did not exist, and log no path either.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Bot } from '../bot/bot.js';
import { eraseUser } from '../admin/erase.js';
import { operatorUser, type OperatorUser } from '../admin/operator-user.js';
import { resetUser } from '../admin/reset.js';
import { showUser } from '../admin/show.js';
import type { Log } from '../runtime/log.js';
import type { Store } from '../stores/store.js';

export interface AdminDeps {
  store: Store;
  /** ADMIN_TOKEN (at least 32 characters); undefined turns the routes off. */
  token: string | undefined;
  /** Names steps in what `show` answers. */
  bot?: Bot;
  log: Log;
}

type Action = 'show' | 'reset' | 'erase';

export function adminRoutes(deps: AdminDeps): Router {
  const router = Router();
  const routes: [method: 'get' | 'delete', path: string, action: Action][] = [
    ['get', '/admin/conversations/:channel/:user', 'show'],
    ['delete', '/admin/conversations/:channel/:user', 'reset'],
    ['delete', '/admin/users/:channel/:user', 'erase'],
  ];
  const { token } = deps;
  if (token === undefined) {
    router.use('/admin', (_req, res) => void res.status(404).type('text/plain').send('not found'));
    return router;
  }
  // Both sides hashed first: timingSafeEqual needs equal lengths, and a digest has one whatever was sent.
  const expected = createHash('sha256').update(token).digest();
  const authorized = (req: Request) => {
    const sent = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
    return timingSafeEqual(createHash('sha256').update(sent).digest(), expected);
  };
  // Logs name a user by a digest keyed with ADMIN_TOKEN: operators who hold the token can match lines to a user, nobody else can.
  const digestOf = (user: OperatorUser) => createHmac('sha256', token).update(`${user.channel}:${user.id}`).digest('base64url').slice(0, 16);

  for (const [method, path, action] of routes) {
    router[method](path, async (req: Request<{ channel: string; user: string }>, res: Response) => {
      const started = performance.now();
      const line = (status: number, fields: object = {}) => ({ admin: action, route: `${method.toUpperCase()} ${path}`, status, ms: Math.round(performance.now() - started), ...fields });
      res.set('cache-control', 'no-store');
      if (!authorized(req)) {
        deps.log.warn(line(401), 'admin request refused: no valid ADMIN_TOKEN');
        res.status(401).set('www-authenticate', 'Bearer').type('text/plain').send('unauthorized');
        return;
      }
      const named = operatorUser(req.params.channel, req.params.user);
      if (!named.ok) {
        deps.log.warn(line(400), 'admin request refused: bad channel or user');
        res.status(400).json({ error: named.problem });
        return;
      }
      const { user } = named;
      const who = { channel: user.channel, user: digestOf(user) };
      try {
        if (action === 'show') {
          const view = await showUser(deps.store, user, deps.bot === undefined ? {} : { bot: deps.bot });
          deps.log.info(line(200, { ...who, conversations: view.conversations.length }), 'admin looked at a user');
          res.json(view);
        } else if (action === 'reset') {
          const ended = await resetUser(deps.store, user);
          deps.log.info(line(204, { ...who, ended }), 'admin ended a user\'s conversations');
          res.status(204).end();
        } else {
          const erased = await eraseUser(deps.store, user);
          deps.log.info(line(204, { ...who, ...erased }), 'admin erased a user');
          res.status(204).end();
        }
      } catch (error) {
        // The store's errors name keys, which name the user: only the kind is logged.
        deps.log.error(line(503, { ...who, error: error instanceof Error ? error.name : 'unknown' }), 'admin action failed: the store did not answer');
        res.status(503).type('text/plain').send('unavailable, try again');
      }
    });
  }
  // Anything else under /admin (another method, a path with too many parts, a user id whose
  // percent-encoding is broken) is answered here too, so its path is never logged.
  router.use('/admin', (req, res) => {
    deps.log.warn({ admin: 'none', method: req.method, status: 404 }, 'no such admin route');
    res.status(404).type('text/plain').send('not found');
  });
  const unreadable: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = typeof error === 'object' && error !== null && 'status' in error && Number(error.status) === 400 ? 400 : 500;
    deps.log.warn({ admin: 'none', method: req.method, status }, 'admin request refused: its path cannot be read');
    res.status(status).type('text/plain').send(status === 400 ? 'bad request' : 'internal error');
  };
  router.use('/admin', unreadable);
  return router;
}
