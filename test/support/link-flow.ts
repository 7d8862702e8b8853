// What the sign-in-by-link tests share: Botize's begin/end service as a stand-in with the login
// page its link opens, the browser's way back to Parley (/auth/callback, then /auth/done with
// the cookie) walked with fetch, and reading the link and the code out of what the user sees.
import type { TestApp } from '../server/support.js';
import type { StandInService } from './stand-in-service.js';

/** The first http(s) address in the lines. */
export const linkIn = (lines: string[]): string => /https?:\/\/\S+/.exec(lines.join('\n'))?.[0] ?? '';

/** The code Parley's page shows, as the user would type it. */
export const codeIn = (html: string): string | undefined => /<p class="code"[^>]*>(\d{3}) (\d{3})<\/p>/.exec(html)?.slice(1).join('');

export interface ParleyPage {
  status: number;
  text: string;
  /** Where the browser ended: /auth/done after a 303, else the callback itself. */
  url: string;
}

/** The browser's return to Parley at `redirect` (PUBLIC_URL's /auth/callback), reached on the app's loopback address. */
export async function backToParley(app: Pick<TestApp, 'url'>, redirect: URL | string): Promise<ParleyPage> {
  const target = new URL(redirect);
  const local = new URL(target.pathname + target.search, app.url);
  const first = await fetch(local, { redirect: 'manual' });
  if (first.status !== 303) return { status: first.status, text: await first.text(), url: local.href };
  const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
  const done = new URL(first.headers.get('location')!, local);
  const page = await fetch(done, { headers: { cookie } });
  return { status: page.status, text: await page.text(), url: done.href };
}

export interface BotizeService extends StandInService {
  /** What begin was sent, per link: `callback_url`, `user_id`, `channel`. */
  begun: Array<{ callback_url: string; user_id: string; channel: string }>;
  /** What the login page does for a good login, with fetch: the address it sends the browser back to. */
  signIn(link: string, username?: string, password?: string): Promise<string>;
}

export const botizeToken = 'tok-web-1';

/**
 * Botize's begin/end as a stand-in, with the login page its `auth_url` names: a form that, for
 * ada / lovelace, sends the browser back to `callback_url` with a ticket of its own, which
 * `endUrl` then checks against the data begin asked to keep. The API (`GET /balance`) takes
 * only `Bearer tok-web-1`.
 */
export function playBotize(service: StandInService): BotizeService {
  const begun: BotizeService['begun'] = [];
  service.on('POST /begin', (request) => {
    begun.push(request.json as BotizeService['begun'][number]);
    const session = `s${begun.length}`;
    return { json: { auth_url: `${service.url}/login?session=${session}`, temp_data_to_save: { session } } };
  });
  service.on('GET /login', (request) => ({
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: `<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>Bank sign-in</title></head><body>
<form method="post" action="/login"><input type="hidden" name="session" value="${(request.query.session ?? '').replace(/[^a-z0-9]/g, '')}">
<label>Username <input name="username"></label><label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form></body></html>`,
  }));
  service.on('POST /login', (request) => {
    const session = request.form?.session ?? '';
    const callback = begun[Number(session.slice(1)) - 1]?.callback_url;
    if (callback === undefined || request.form?.username !== 'ada' || request.form?.password !== 'lovelace') return { status: 401, text: 'Wrong username or password.' };
    const back = new URL(callback);
    back.searchParams.set('ticket', `ticket-for-${session}`);
    return { status: 303, headers: { location: back.href } };
  });
  service.on('POST /end', (request) => {
    const body = request.json as { saved_temp_data: { session: string }; service_data: Record<string, string> };
    const good = body.service_data.ticket === `ticket-for-${body.saved_temp_data.session}`;
    return { json: good ? { valid_credentials: true, user_id: 'Ada Lovelace', auth_data_to_save: botizeToken } : { valid_credentials: false } };
  });
  service.on('GET /balance', (request) => (request.headers.authorization === `Bearer ${botizeToken}` ? { json: { balance: 42 } } : { status: 401 }));

  return Object.assign(service, {
    begun,
    async signIn(link: string, username = 'ada', password = 'lovelace') {
      const session = new URL(link).searchParams.get('session') ?? '';
      const answer = await fetch(`${service.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ session, username, password }).toString(),
      });
      const location = answer.headers.get('location');
      if (answer.status !== 303 || location === null) throw new Error(`the login page answered ${answer.status}`);
      return location;
    },
  });
}

/** A bot that signs in with `definition` (named `bank`), calls `apiUrl` with the token and says the balance. */
export function balanceBotSource(id: string, definition: Record<string, unknown>, apiUrl: string): Record<string, unknown> {
  return {
    format: 1,
    id,
    name: id,
    start: 'main',
    authTokens: { bank: definition },
    scripts: {
      main: {
        steps: [
          { type: 'authToken', token: 'bank', onFailure: 'failed' },
          { type: 'webService', url: apiUrl, headers: { authorization: 'Bearer {authtoken}' }, save: { balance: 'balance' } },
          { type: 'end', text: 'Hello {account}, your balance is {balance}.' },
          { id: 'failed', type: 'end', text: 'We could not sign you in.' },
        ],
      },
    },
  };
}
