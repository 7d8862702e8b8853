// GET /healthz for load balancers: healthy while the store answers within a second. The answer
// is public: it names the store's kind, and no bot (which bots a server runs is not the public's).
import type { RequestHandler } from 'express';
import type { Store } from '../stores/store.js';

const pingWithinMs = 1_000;

export function healthRoute(store: Store, storeKind: string): RequestHandler {
  return async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), pingWithinMs);
    });
    const answered = await Promise.race([store.ping().then(() => true, () => false), late]).finally(() => clearTimeout(timer));
    res
      .status(answered ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: answered ? 'ok' : 'unavailable', store: storeKind });
  };
}
