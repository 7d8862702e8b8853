// `parley serve`: load the bots (BOT_FILE, or every bot of BOT_DIR), open the store, build an
// engine per bot and serve the app until closed, reloading bot files as they change.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { BotRegistry, type LoadedBot, type ReloadOutcome } from '../bot/bot-registry.js';
import { formatProblem } from '../bot/problems.js';
import { readSettings, type Settings } from '../config.js';
import { createEngine } from '../create-engine.js';
import { smtpMailer } from '../effects/mailer.js';
import type { Log } from '../runtime/log.js';
import { openStore } from '../stores/open-store.js';
import { scopedStore } from '../stores/scoped-store.js';
import { createBotsApp, type BotDirectory, type ServedBot } from './bot-routing.js';
import type { Express } from 'express';
import { baseApp, botRoutes, finishApp, type AppOptions } from './create-app.js';
import { createLogger } from './log.js';
import { createServerMetrics } from './metrics.js';

export interface StartOptions extends Pick<AppOptions, 'deadlineMs' | 'voiceDeadlineMs' | 'metaDeadlineMs'> {
  /** The bot to serve (its routes without a prefix). Neither this nor `botDir`: BOT_DIR, else BOT_FILE. */
  botFile?: string;
  /** Serve every bot of this folder, each on /bots/ID/… and for what it answers for. */
  botDir?: string;
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
  /** Reload bot files when they change (default true); `reload()` reloads them in any case. */
  watch?: boolean;
}

export interface RunningServer {
  /** Where this process listens, e.g. http://localhost:3000 (PUBLIC_URL may differ). */
  url: string;
  port: number;
  /** Reads the bot files again (SIGHUP): a file that does not load is refused, its last good version kept. */
  reload(): Promise<ReloadOutcome[]>;
  /** Stops taking requests, lets running ones finish, closes the store. */
  close(): Promise<void>;
}

/** Throws, with the bot's problems as authors read them, when a bot has errors, or on a bad setting. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const settings = readSettings(env);
  const log = options.log ?? createLogger(settings.logLevel, options.logDestination, { ...(settings.cipher && { fingerprint: (text: string) => settings.cipher!.fingerprint(text) }) });

  const botDir = options.botDir ?? (options.botFile === undefined ? settings.botDir : undefined);
  const botFile = options.botFile ?? settings.botFile;
  const target = botDir ?? botFile;
  if (target === undefined) throw new Error('no bot to serve: set BOT_FILE or BOT_DIR');
  const several = botDir !== undefined;

  const { registry, outcomes } = await BotRegistry.open({ paths: [target], canMail: settings.smtpUrl !== undefined });
  for (const outcome of outcomes) logOutcome(log, outcome);
  const refused = outcomes.filter((outcome) => outcome.kind === 'refused');
  if (refused.length > 0) {
    throw new Error(`${refused.map((outcome) => outcome.file).join(', ')}: the bot has errors, the server does not start:\n${refused.flatMap((outcome) => outcome.problems.map(formatProblem)).join('\n')}`);
  }
  if (registry.list().length === 0) throw new Error(`${target}: there is no bot file in this folder, the server does not start`);

  const opened = await openStore(settings, { warn: (message) => log.warn(message) });
  const metrics = createServerMetrics({ processMetrics: true });
  const allowPrivate = options.allowPrivateNetworks ?? settings.allowPrivateNetworks;
  const port = options.port ?? settings.port ?? 3000;
  let bound = port;
  const publicUrl = () => settings.publicUrl ?? `http://localhost:${bound}`;
  const mailer = settings.smtpUrl === undefined ? undefined : smtpMailer(settings.smtpUrl);
  const graceMs = settings.shutdownGraceSeconds * 1000;
  warnAboutSettings(settings, log, allowPrivate);
  const routeOptions = { settings, log, metrics, publicUrl, ...pick(options, 'deadlineMs', 'voiceDeadlineMs', 'metaDeadlineMs') };

  /** An engine per bot, on the shared store: scoped by bot when several share it. */
  const serveBot = (loaded: LoadedBot, into?: Express): ServedBot => {
    const { id } = loaded.bot;
    const engine = createEngine({
      bot: loaded.bot,
      current: () => loaded.bot,
      store: several ? scopedStore(opened.store, id) : opened.store,
      secrets: settings.botSecrets,
      log,
      metrics,
      allowPrivateNetworks: allowPrivate,
      // Sign-in links come back to the bot's own routes (/bots/ID/auth/… beside others).
      publicUrl: several ? () => `${publicUrl().replace(/\/+$/, '')}/bots/${id}` : publicUrl,
      ...(opened.cipher && { cipher: opened.cipher }),
      ...(mailer && { mailer }),
    });
    const options = { ...routeOptions, engine, basePath: several ? `/bots/${id}` : '' };
    return { id, engine, routes: into === undefined ? botRoutes(options) : botRoutes(options, into) };
  };
  const served = new Map<string, ServedBot>();
  // One bot: its routes on the app itself (a router layer less per request); several: a router each.
  const single = several ? undefined : baseApp(log, metrics);
  for (const loaded of registry.list()) served.set(loaded.bot.id, serveBot(loaded, single));
  // A bot added to the folder later is served from then on; a changed one runs its new version.
  registry.onReload((outcome) => {
    logOutcome(log, outcome);
    if (outcome.kind === 'added' && several) {
      const loaded = registry.forFile(outcome.file);
      if (loaded !== undefined) served.set(loaded.bot.id, serveBot(loaded));
    }
  });
  if (options.watch !== false) registry.watch();

  const directory: BotDirectory = {
    get: (id) => served.get(id),
    answering: (claim, value) => {
      const loaded = registry.answering(claim, value);
      return loaded === undefined ? undefined : served.get(loaded.bot.id);
    },
    all: () => [...served.values()],
  };
  let app: Express;
  if (single === undefined) app = createBotsApp({ bots: directory, store: opened.store, storeKind: opened.kind, settings, log, metrics, publicUrl });
  else {
    finishApp(single, opened.store, opened.kind, { log, metrics, publicUrl });
    app = single;
  }
  const engines = () => [...served.values()].map((bot) => bot.engine);

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
    registry.close();
    await opened.store.close().catch(() => undefined);
    throw error;
  }
  const address = server.address() as AddressInfo;
  bound = address.port;
  // Where it really listens (all interfaces unless a host was given), and the URL platforms call.
  const listening = address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  const ids = [...served.keys()];
  log.info({ ...(several ? { bots: ids } : { bot: ids[0] }), store: opened.kind, listening, port: bound, publicUrl: publicUrlOf(publicUrl) }, `serving on ${listening}`);

  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${bound}`,
    port: bound,
    reload: () => registry.reload(),
    close() {
      closing ??= (async () => {
        registry.close();
        // No new connections; answers on kept-alive ones say the connection closes.
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const started = Date.now();
        const finished = (await Promise.all(engines().map((engine) => engine.inFlight.drain(graceMs)))).every(Boolean);
        if (!finished) {
          // Past the grace: each turn still running abandons its work, frees its conversation's
          // lock and delivery, and tells its user to send again (another instance takes it).
          const running = engines().reduce((sum, engine) => sum + engine.inFlight.size, 0);
          log.warn({ running, graceSeconds: graceMs / 1000 }, 'shutdown grace is over: interrupting the turns still running');
          for (const engine of engines()) engine.inFlight.interrupt();
          await Promise.all(engines().map((engine) => engine.inFlight.drain(interruptedWithinMs)));
        }
        // Connections that were busy when closing began are idle now; a client still sending
        // gets a moment, then every connection is closed.
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, Math.min(1_000, Math.max(0, graceMs - (Date.now() - started)))).unref())]);
        server.closeAllConnections();
        await opened.store.close();
        log.info({ ...(several ? { bots: ids } : { bot: ids[0] }), finished }, 'stopped');
      })();
      return closing;
    },
  };
}

/** What a load or reload did, in the log: problems one line each, and what serves now. */
function logOutcome(log: Log, outcome: ReloadOutcome): void {
  const problems = outcome.kind === 'unchanged' ? [] : outcome.problems;
  for (const problem of problems) {
    const fields = { file: problem.file, line: problem.line, column: problem.column, pointer: problem.pointer };
    if (problem.severity === 'error') log.error(fields, formatProblem(problem));
    else log.warn(fields, formatProblem(problem));
  }
  switch (outcome.kind) {
    case 'reloaded':
      log.info({ bot: outcome.bot.id, file: outcome.file, revision: outcome.bot.revision, previous: outcome.previous.revision }, `reloaded bot "${outcome.bot.id}"`);
      break;
    case 'refused':
      if (outcome.serving !== undefined) {
        log.error({ bot: outcome.serving.id, file: outcome.file, revision: outcome.serving.revision }, `the changed bot file was refused (problems above): the last good version of "${outcome.serving.id}" keeps serving`);
      }
      break;
    case 'added':
    case 'unchanged':
      break;
  }
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
