// `parley chat` with a bot that signs in by link (oauth, web): Parley's own pages, GET
// /auth/callback and /auth/done, served on this machine while the author chats, so the link
// the bot prints can be opened in a browser and the sign-in comes back to this console.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Engine } from '../runtime/engine.js';
import type { Log } from '../runtime/log.js';
import { authRoutes } from '../server/auth-routes.js';
import { errorHandler } from '../server/errors.js';

/** The pages cannot be served, for a reason the author can fix. */
export class SignInPagesError extends Error {
  override readonly name = 'SignInPagesError';
}

export interface SignInPages {
  /** Where the pages are: PUBLIC_URL, or the loopback address they listen on. */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 only: PORT if set, else PUBLIC_URL's port when PUBLIC_URL is on this
 * machine, else any free port. `publicUrl` is PUBLIC_URL, which a provider may require to be
 * its registered redirect address (a tunnel's, say); without it, the address listened on.
 */
export async function serveSignInPages(engine: Engine, options: { publicUrl: string | undefined; port: number | undefined; log: Log }): Promise<SignInPages> {
  let bound = 0;
  const publicUrl = () => (options.publicUrl ?? `http://127.0.0.1:${bound}`).replace(/\/+$/, '');
  const app = express();
  app.disable('x-powered-by');
  app.use(authRoutes({ engine, log: options.log, publicUrl }));
  app.use(errorHandler(options.log));
  const port = options.port ?? loopbackPort(options.publicUrl) ?? 0;
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new SignInPagesError(`port ${port} is in use, so the sign-in pages cannot be served: set PORT (or PUBLIC_URL) to a free one`) : error),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  bound = (server.address() as AddressInfo).port;
  return {
    url: publicUrl(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The explicit port of a PUBLIC_URL that names this machine; a public address's port is a proxy's, not ours. */
function loopbackPort(publicUrl: string | undefined): number | undefined {
  if (publicUrl === undefined) return undefined;
  const url = new URL(publicUrl);
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  return local && url.port !== '' ? Number(url.port) : undefined;
}
