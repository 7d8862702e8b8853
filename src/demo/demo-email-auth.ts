// The demo's stand-in for a hosted email authentication service, in Bazaarvoice's shape, so
// scripts/email-reviews.json signs in by a mailed link without an account anywhere:
// - POST /email/authenticateuser.json?ApiVersion=5.4&PassKey=demo-passkey, form fields `email`
//   (the address the link proved) and `authtoken` (the link's one-time code): answers
//   {"Authentication": {"User": "4d5a…"}, "HasErrors": false, "Errors": []}, or
//   ERROR_BAD_REQUEST for a code that is missing or was used already;
// - GET /email/profile with `X-User-Token: 4d5a…`: the user's reviews.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const demoPassKey = 'demo-passkey';

export interface DemoEmailAuth {
  /** Answers the request when it is one of this service's; false when it is not. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

const badRequest = { Authentication: null, HasErrors: true, Errors: [{ Message: 'The authentication token is invalid, missing or was already used.', Code: 'ERROR_BAD_REQUEST' }] };

export function demoEmailAuth(): DemoEmailAuth {
  const users = new Map<string, string>();
  const usedCodes = new Set<string>();
  return {
    async handle(req, res, url) {
      if (req.method === 'POST' && url.pathname === '/email/authenticateuser.json') {
        const form = new URLSearchParams(await readText(req));
        if (url.searchParams.get('PassKey') !== demoPassKey) return send(res, 403, { HasErrors: true, Errors: [{ Message: 'Invalid pass key.', Code: 'ERROR_ACCESS_DENIED' }] });
        const email = form.get('email') ?? '';
        const code = form.get('authtoken') ?? '';
        if (email === '' || code === '' || usedCodes.has(code)) return send(res, 200, badRequest);
        usedCodes.add(code);
        // Encrypted and opaque in the real service; random here.
        const user = `4d5a${randomBytes(20).toString('hex')}`;
        users.set(user, email);
        return send(res, 200, { Authentication: { User: user }, HasErrors: false, Errors: [] });
      }
      if (req.method === 'GET' && url.pathname === '/email/profile') {
        const email = users.get(String(req.headers['x-user-token'] ?? ''));
        if (email === undefined) return send(res, 401, { HasErrors: true, Errors: [{ Message: 'Unknown user token.', Code: 'ERROR_ACCESS_DENIED' }] });
        return send(res, 200, { reviews: 3 + (email.length % 5), nickname: email.split('@')[0] });
      }
      return false;
    },
  };
}

async function readText(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) break;
  }
  return text;
}

function send(res: ServerResponse, status: number, body: object): true {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}
