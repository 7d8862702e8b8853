// `parley studio BOT`: the authoring page, served on 127.0.0.1 only. The page is one HTML
// answer; it follows the conversation through Server-Sent Events and posts what the author
// does as JSON. Sign-in links come back to this server's /auth/callback and /auth/done, the
// server's own routes (src/server/auth-routes.ts) on the studio's engine.
//
// Only this machine can reach it, but any web page open in the author's browser could try:
// requests must name this server as their Host (no DNS rebinding), and what changes anything
// must be JSON from this origin (a cross-site form cannot send that).
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { formatProblem } from '../bot/problems.js';
import { consoleLog } from '../cli/console-log.js';
import type { Engine } from '../runtime/engine.js';
import { channelIds, type ChannelId } from '../runtime/turn.js';
import { authRoutes } from '../server/auth-routes.js';
import { BotFile } from './bot-file.js';
import { studioPage } from './page/page.js';
import { servicesFor } from './services.js';
import { Workbench } from './workbench.js';

export interface StudioOptions {
  botPath: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** `--tests DIR`: offer the stand-ins of the conversation tests there that play this bot. */
  tests?: string;
  channel?: ChannelId;
  /** BOT_SECRET_* values. */
  secrets?: Readonly<Record<string, string>>;
  /** Where the calls and the engine's warnings are written too (the terminal). */
  write?: (text: string) => void;
  /** Reload the bot file when it is saved (default true). */
  watch?: boolean;
}

export interface RunningStudio {
  url: string;
  workbench: Workbench;
  close(): Promise<void>;
}

/** The bot file cannot be read at all: there is nothing to show or watch. */
export class StudioError extends Error {
  override readonly name = 'StudioError';
}

const maxMessageLength = 4_000;

export async function startStudio(options: StudioOptions): Promise<RunningStudio> {
  const write = options.write ?? (() => undefined);
  const file = new BotFile(options.botPath);
  const services = await servicesFor(options.botPath, options.tests);
  let url = '';
  const workbench = new Workbench({
    file,
    services,
    secrets: options.secrets ?? {},
    ...(options.channel && { channel: options.channel }),
    publicUrl: () => url,
    write,
  });
  await workbench.open();
  const first = file.state;
  if (first.good === undefined && first.problems.some((p) => p.code === 'read-error')) {
    await workbench.close();
    throw new StudioError(first.problems.map(formatProblem).join('\n'));
  }

  const hosts = new Set<string>();
  const origins = new Set<string>();
  const app = studioApp(workbench, { hosts, origins, write });
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    hosts.add(host);
    origins.add(`http://${host}`);
  }
  if (options.watch !== false) file.watch();

  return {
    url,
    workbench,
    async close() {
      app.locals.closing?.();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await workbench.close();
    },
  };
}

interface AppOptions {
  /** `Host` values this server answers (filled in once it listens). */
  hosts: ReadonlySet<string>;
  origins: ReadonlySet<string>;
  write: (text: string) => void;
}

function studioApp(workbench: Workbench, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    if (!options.hosts.has(req.headers.host ?? '')) {
      res.status(421).type('text').send('This is Parley Studio: open it at the address it printed (127.0.0.1).\n');
      return;
    }
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    next();
  });

  app.get('/', (_req, res) => {
    const nonce = randomBytes(16).toString('base64');
    const snapshot = workbench.snapshot();
    const svg = snapshot.bot === undefined ? '' : (workbench.flow(snapshot.bot.version) ?? '');
    res.setHeader(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    res.type('html').send(studioPage(snapshot, svg, nonce));
  });

  app.get('/api/state', (_req, res) => {
    res.json(workbench.snapshot());
  });

  // Every change is one snapshot to every open page; changes in the same moment are sent once.
  const pages = new Set<Response>();
  let scheduled = false;
  workbench.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const data = `data: ${JSON.stringify(workbench.snapshot())}\n\n`;
      for (const page of pages) page.write(data);
    });
  });
  const heartbeat = setInterval(() => {
    for (const page of pages) page.write(': still here\n\n');
  }, 20_000);
  heartbeat.unref();
  app.locals.closing = () => {
    clearInterval(heartbeat);
    for (const page of pages) page.end();
    pages.clear();
  };
  app.get('/api/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 1000\ndata: ${JSON.stringify(workbench.snapshot())}\n\n`);
    pages.add(res);
    req.on('close', () => pages.delete(res));
  });

  app.get('/api/flow.svg', (req, res) => {
    const svg = workbench.flow(Number(req.query.v));
    if (svg === undefined) {
      res.status(404).type('text').send('no flow of that version: reload the page\n');
      return;
    }
    res.type('image/svg+xml').send(svg);
  });

  app.get('/api/source', (req, res) => {
    res.json({ text: workbench.text(req.query.which === 'current' ? 'current' : 'good') });
  });

  const api = express.Router();
  api.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !options.origins.has(origin)) {
      res.status(403).json({ error: 'only the studio page itself may do this' });
      return;
    }
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send JSON (content-type: application/json)' });
      return;
    }
    next();
  });
  api.use(express.json({ limit: '16kb' }));
  api.post('/message', async (req, res) => {
    const { text, choice } = (req.body ?? {}) as { text?: unknown; choice?: unknown };
    if (typeof text !== 'string' || text.length > maxMessageLength || (choice !== undefined && typeof choice !== 'string')) {
      res.status(400).json({ error: `"text" is the message, at most ${maxMessageLength} characters; "choice", if any, a choice's value` });
      return;
    }
    await workbench.send(text, choice as string | undefined);
    res.status(204).end();
  });
  api.post('/channel', async (req, res) => {
    const { channel } = (req.body ?? {}) as { channel?: unknown };
    if (typeof channel !== 'string' || !(channelIds as readonly string[]).includes(channel)) {
      res.status(400).json({ error: `"channel" is one of ${channelIds.join(', ')}` });
      return;
    }
    await workbench.setChannel(channel as ChannelId);
    res.status(204).end();
  });
  api.post('/services', async (req, res) => {
    const { id } = (req.body ?? {}) as { id?: unknown };
    if (typeof id !== 'string') {
      res.status(400).json({ error: '"id" names one of the services offered' });
      return;
    }
    await workbench.setServices(id);
    res.status(204).end();
  });
  api.post('/restart', async (req, res) => {
    const { newUser } = (req.body ?? {}) as { newUser?: unknown };
    await workbench.restart(newUser === true);
    res.status(204).end();
  });
  api.post('/call', async (_req, res) => {
    await workbench.call();
    res.status(204).end();
  });
  app.use('/api', api);

  // Sign-in links come back here, as they do to the server: the same routes, on the engine of
  // the version now running (a reload gives a new one).
  const log = consoleLog(options.write);
  const routers = new WeakMap<Engine, Router>();
  app.use((req: Request, res: Response, next: NextFunction) => {
    const engine = workbench.engine;
    if (engine === undefined) return next();
    let router = routers.get(engine);
    if (router === undefined) {
      router = authRoutes({ engine, log, publicUrl: () => `http://${[...options.hosts][0] ?? '127.0.0.1'}` });
      routers.set(engine, router);
    }
    router(req, res, next);
  });

  app.use((req, res) => {
    res.status(404).type('text').send(`no ${req.method} ${req.path} here\n`);
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) options.write(`studio: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    res.status(status).json({ error: status >= 500 ? 'the studio failed: its terminal says why' : 'that request is not one the studio reads' });
  });
  return app;
}
