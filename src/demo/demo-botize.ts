// Botize's web-based authentication for the demo (scripts/web-sign-in.json), as a service
// plays it: `begin` names a login page and data to keep, the login page sends the browser back
// to Parley's callback with a ticket, and `end` trades the ticket and the kept data for the
// verdict, the account and a token the demo API takes. A demo, NOT FOR PRODUCTION: in memory,
// and any callback address is accepted.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendLoginPage, sendProblemPage } from './demo-page.js';
import type { DemoAccounts } from './demo-services.js';

interface Session {
  callbackUrl: string;
  ticket?: string;
  user?: string;
}

const maxSessions = 1000;

export function demoBotize(accounts: DemoAccounts, base: () => string): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  const sessions = new Map<string, Session>();

  const loginPage = (res: ServerResponse, session: string, problem?: string, username?: string) =>
    sendLoginPage(
      res,
      { title: 'Sign in to ACME Bank', action: '/botize/login', hidden: { session }, ...(problem !== undefined && { problem }), ...(username !== undefined && { username }) },
      problem === undefined ? 200 : 401,
    );

  return async (req, res, path) => {
    if (path === '/botize/begin' && req.method === 'POST') {
      const body = await accounts.readJson(req);
      const callbackUrl = typeof body.callback_url === 'string' ? body.callback_url : '';
      if (!/^https?:\/\//.test(callbackUrl)) {
        json(res, 400, { error: 'callback_url must be an http(s) address' });
        return true;
      }
      const id = randomBytes(16).toString('hex');
      if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
      sessions.set(id, { callbackUrl });
      json(res, 200, { auth_url: `${base()}/botize/login?session=${id}`, temp_data_to_save: { session: id } });
      return true;
    }

    if (path === '/botize/login' && (req.method === 'GET' || req.method === 'POST')) {
      const params = req.method === 'GET' ? Object.fromEntries(new URL(req.url ?? '/', 'http://demo').searchParams) : await accounts.readForm(req);
      const id = params.session ?? '';
      const session = sessions.get(id);
      if (session === undefined) {
        sendProblemPage(res, 404, 'This sign-in page is not known (the demo services may have restarted): go back to the chat and type "again" for a new link.');
        return true;
      }
      if (req.method === 'GET') {
        loginPage(res, id);
        return true;
      }
      const user = accounts.check(params.username, params.password);
      if (user === undefined) {
        loginPage(res, id, 'That username and password do not match.', params.username);
        return true;
      }
      session.ticket = randomBytes(16).toString('hex');
      session.user = user;
      // Back to Parley, with the service's own query variable added to the callback address.
      const back = new URL(session.callbackUrl);
      back.searchParams.set('ticket', session.ticket);
      res.writeHead(303, { location: back.href, 'cache-control': 'no-store' }).end();
      return true;
    }

    if (path === '/botize/end' && req.method === 'POST') {
      const body = await accounts.readJson(req);
      const kept = body.saved_temp_data as { session?: unknown } | null | undefined;
      const data = body.service_data as { ticket?: unknown } | null | undefined;
      const id = typeof kept?.session === 'string' ? kept.session : '';
      const session = sessions.get(id);
      const good = session?.ticket !== undefined && session.user !== undefined && data?.ticket === session.ticket;
      // A ticket works once.
      sessions.delete(id);
      if (!good) {
        json(res, 200, { valid_credentials: false });
        return true;
      }
      json(res, 200, { valid_credentials: true, user_id: accounts.users[session.user!]!.name, auth_data_to_save: accounts.issue(session.user!) });
      return true;
    }
    return false;
  };
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
