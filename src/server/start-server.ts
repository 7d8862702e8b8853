// `parley serve`: load the bot, open the store, build the engine and serve the app until closed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { loadBotFile } from '../bot/load.js';
import { formatProblem } from '../bot/problems.js';
import { readSettings, type Settings } from '../config.js';
import { createEngine } from '../create-engine.js';
import type { Log } from '../runtime/log.js';
import { openStore } from '../stores/open-store.js';
import { createApp, type AppOptions } from './create-app.js';
import { createLogger } from './log.js';
import { createServerMetrics } from './metrics.js';

export interface StartOptions extends Pick<AppOptions, 'deadlineMs' | 'voiceDeadlineMs' | 'metaDeadlineMs'> {
  botFile: string;
  /** Else PORT, else 3000; 0 takes any free port (see `url`). */
  port?: number;
  /** The settings (shared/spec/server.md); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default: all interfaces. */
  host?: string;
  /** Where log lines go instead of standard output (tests). */
  logDestination?: DestinationStream;
  /** The logger to use (`parley serve` makes it first, so its own lines are JSON too); else one from LOG_LEVEL. */
  log?: Logger;
  /** Overrides ALLOW_PRIVATE_NETWORKS (`serve --demo-services`). */
  allowPrivateNetworks?: boolean;
}

export interface RunningServer {
  /** Where this process listens, e.g. http://localhost:3000 (PUBLIC_URL may differ). */
  url: string;
  port: number;
  /** Stops taking requests, lets running ones finish, closes the store. */
  close(): Promise<void>;
}

/** Throws, with the bot's problems as authors read them, when the bot has errors, or on a bad setting. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const settings = readSettings(env);
  const log = options.log ?? createLogger(settings.logLevel, options.logDestination, { ...(settings.cipher && { fingerprint: (text: string) => settings.cipher!.fingerprint(text) }) });

  const { bot, problems } = await loadBotFile(options.botFile);
  for (const problem of problems) {
    const fields = { file: problem.file, line: problem.line, column: problem.column, pointer: problem.pointer };
    if (problem.severity === 'error') log.error(fields, formatProblem(problem));
    else log.warn(fields, formatProblem(problem));
  }
  if (bot === undefined) {
    throw new Error(`${options.botFile}: the bot has errors, the server does not start:\n${problems.map(formatProblem).join('\n')}`);
  }

  const opened = await openStore(settings, { warn: (message) => log.warn(message) });
  const metrics = createServerMetrics({ processMetrics: true });
  const allowPrivate = options.allowPrivateNetworks ?? settings.allowPrivateNetworks;
  const engine = createEngine({
    bot,
    store: opened.store,
    secrets: settings.botSecrets,
    log,
    metrics,
    allowPrivateNetworks: allowPrivate,
    ...(opened.cipher && { cipher: opened.cipher }),
  });

  const port = options.port ?? settings.port ?? 3000;
  const graceMs = settings.shutdownGraceSeconds * 1000;
  let bound = port;
  const publicUrl = settings.publicUrl ?? (() => `http://localhost:${bound}`);
  warnAboutSettings(settings, log, allowPrivate);

  const app = createApp({
    engine,
    storeKind: opened.kind,
    settings,
    log,
    metrics,
    publicUrl,
    ...pick(options, 'deadlineMs', 'voiceDeadlineMs', 'metaDeadlineMs'),
  });
  let stopping = false;
  const server = createServer((req, res) => {
    // While stopping, a kept-alive client is told to reconnect (to another instance).
    if (stopping) res.setHeader('connection', 'close');
    app(req, res);
  });
  // Platforms keep connections open; a load balancer's idle time-out is usually 60 s.
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => resolve());
    });
  } catch (error) {
    await opened.store.close().catch(() => undefined);
    throw error;
  }
  const address = server.address() as AddressInfo;
  bound = address.port;
  // Where it really listens (all interfaces unless a host was given), and the URL platforms call.
  const listening = address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  log.info({ bot: bot.id, store: opened.kind, listening, port: bound, publicUrl: publicUrlOf(publicUrl) }, `serving on ${listening}`);

  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${bound}`,
    port: bound,
    close() {
      closing ??= (async () => {
        // No new connections; answers on kept-alive ones say the connection closes.
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const started = Date.now();
        const finished = await engine.inFlight.drain(graceMs);
        if (!finished) {
          // Past the grace: each turn still running abandons its work, frees its conversation's
          // lock and delivery, and tells its user to send again (another instance takes it).
          log.warn({ running: engine.inFlight.size, graceSeconds: graceMs / 1000 }, 'shutdown grace is over: interrupting the turns still running');
          engine.inFlight.interrupt();
          await engine.inFlight.drain(interruptedWithinMs);
        }
        // Connections that were busy when closing began are idle now; a client still sending
        // gets a moment, then every connection is closed.
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, graceMs - (Date.now() - started)))).unref())]);
        server.closeAllConnections();
        await opened.store.close();
        log.info({ bot: bot.id, finished }, 'stopped');
      })();
      return closing;
    },
  };
}

// Interrupted turns release their locks and send one sentence: a few seconds at most.
const interruptedWithinMs = 4_000;


function warnAboutSettings(settings: Settings, log: Log, allowPrivate: boolean): void {
  const { twilio, botFramework, meta } = settings;
  if (!twilio.validate) {
    log.warn({}, 'TWILIO_VALIDATE=false: Twilio signatures are NOT checked; anyone can post to /twilio/*. Use it only in development');
  } else if (twilio.authToken === undefined) {
    log.info({}, 'TWILIO_AUTH_TOKEN is not set: /twilio/sms and /twilio/voice answer 403');
  }
  if (twilio.authToken !== undefined && twilio.accountSid === undefined) {
    log.warn({}, 'TWILIO_ACCOUNT_SID is not set: replies of slow SMS/WhatsApp turns cannot be sent after the webhook answered');
  }
  if (botFramework.appId !== undefined) {
    if (botFramework.emulator) log.warn({}, 'BOT_FRAMEWORK_EMULATOR is ignored: MicrosoftAppId is set, so /api/messages takes only activities with a Bot Service token');
  } else if (botFramework.emulator) {
    log.warn({}, 'BOT_FRAMEWORK_EMULATOR is on: /api/messages takes UNAUTHENTICATED activities from loopback callers with a loopback serviceUrl (the Bot Framework Emulator). Use it only in development');
  } else {
    log.info({}, 'MicrosoftAppId is not set: /api/messages answers 404 (BOT_FRAMEWORK_EMULATOR=true serves the Bot Framework Emulator)');
  }
  if ((meta.appSecret === undefined) !== (meta.verifyToken === undefined)) {
    log.warn({}, 'the Meta adapter needs both META_APP_SECRET and META_VERIFY_TOKEN; /meta/webhook is off');
  } else if (meta.appSecret !== undefined && meta.accessToken === undefined) {
    log.warn({}, 'META_ACCESS_TOKEN is not set: Meta messages are received but no reply can be sent');
  }
  if (allowPrivate) log.warn({}, 'private networks are allowed (ALLOW_PRIVATE_NETWORKS or --demo-services): bots may call loopback and private addresses');
}

function publicUrlOf(publicUrl: string | (() => string)): string {
  return typeof publicUrl === 'function' ? publicUrl() : publicUrl;
}

function pick<T extends object, K extends keyof T>(from: T, ...keys: K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) picked[key] = from[key];
  return picked;
}
