// The express app: the channels' webhooks, health and metrics. `createApp` serves one bot;
// `botRoutes` is one bot's channel routes, which a server of several bots (bot-routing.ts)
// mounts per bot.
import express, { Router, type Express } from 'express';
import type { SendBounds } from '../../channels/bot-framework/reply-sending.js';
import { graphSender } from '../../channels/meta/outbound.js';
import { metaRoutes } from '../../channels/meta/webhook.js';
import { metaUnprompted } from '../../channels/meta/unprompted.js';
import { twilioUnprompted } from '../../channels/twilio/unprompted.js';
import { twilioSender } from '../../channels/twilio-sms/outbound.js';
import type { TwilioSignatureSettings } from '../../channels/twilio/signature.js';
import { twilioSmsRoutes } from '../../channels/twilio-sms/webhook.js';
import { twilioVoiceRoutes } from '../../channels/twilio-voice/webhook.js';
import type { Settings } from '../config.js';
import { runTurn, type TurnAnswer, type TurnOptions, type TurnRequest } from '../runtime/run-turn.js';
import type { Engine } from '../runtime/engine.js';
import { ParleyError } from '../runtime/errors.js';
import type { Log } from '../runtime/log.js';
import type { ChannelId, TurnOutput } from '../runtime/turn.js';
import { botWords, type Words } from '../runtime/phrasebook.js';
import { voiceFor } from '../runtime/voices.js';
import { adminRoutes } from './admin-routes.js';
import { errorHandler } from './errors.js';
import { healthRoute } from './health.js';
import { lazyRoutes } from './lazy-routes.js';
import { giveRequestId, inRequestContext } from './request-context.js';
import { authRoutes } from './auth-routes.js';
import { loggedPath } from './email-routes.js';
import { botSchemaHandler, botSchemaRoute } from './schema-route.js';
import type { ServerMetrics } from './metrics.js';
import type { Store } from '../stores/store.js';

/** What the channel routes of one bot need (`botRoutes`); the app adds health, metrics and errors. */
export interface BotRouteOptions {
  engine: Engine;
  /** The channels' settings (shared/spec/server.md: TWILIO_*, Microsoft*, BOT_FRAMEWORK_EMULATOR, META_*; TWILIO_API_URL and META_GRAPH_URL say where the platforms' APIs are), and ADMIN_TOKEN. */
  settings: Pick<Settings, 'twilio' | 'botFramework' | 'meta'> & Partial<Pick<Settings, 'adminToken'>>;
  log: Log;
  /** Also given to createEngine, so sign-ins and web calls are counted here. */
  metrics: ServerMetrics;
  /** PUBLIC_URL, or a function when it depends on the port the server got. */
  publicUrl: string | (() => string);
  /** How long a messaging webhook waits for a turn before answering with what is ready (12 s). */
  deadlineMs?: number;
  /** The same on the phone, where the caller hears silence meanwhile (6 s). */
  voiceDeadlineMs?: number;
  /** Meta's webhook is answered at once; replies ready by this deadline go out first (3 s). */
  metaDeadlineMs?: number;
  /** How long checking a Bot Framework token may take, its keys fetched included (5 s). */
  botFrameworkAuthTimeoutMs?: number;
  /** How long a Bot Framework answer waits for its replies to be sent (2 s), and when a send counts as failed (30 s). */
  botFrameworkReplyBounds?: SendBounds;
}

export interface AppOptions extends BotRouteOptions {
  /** What /healthz reports: 'memory', 'redis' or 'redis-cluster'. */
  storeKind: string;
}

// META_GRAPH_URL's default (shared/spec/server.md); TWILIO_API_URL's is the SDK's own, api.twilio.com.
const defaultGraphUrl = 'https://graph.facebook.com/v21.0';

/** One bot's server: its channels' routes, health, metrics and one error handler. */
export function createApp(options: AppOptions): Express {
  const app = baseApp(options.log, options.metrics);
  // Mounted on the app itself: a router layer less on every request.
  botRoutes(options, app);
  finishApp(app, options.engine.store, options.storeKind, options);
  return app;
}

/** The app's first layers: settings, and the request id and line every request gets. */
export function baseApp(log: Log, metrics: ServerMetrics): Express {
  const app = express();
  app.disable('x-powered-by');
  // Webhook answers are never asked for again with If-None-Match: hashing each one for an ETag
  // is CPU spent on every request for nothing.
  app.set('etag', false);
  // Behind a load balancer the client address is in X-Forwarded-For; nothing here depends on it.
  app.set('trust proxy', false);
  app.use(requestLine(log, metrics));
  return app;
}

/** The app's last layers: health, metrics, 404 and the error handler. */
export function finishApp(app: Express, store: Store, storeKind: string, { log, metrics, publicUrl }: Pick<AppOptions, 'log' | 'metrics' | 'publicUrl'>): void {
  const url = typeof publicUrl === 'function' ? publicUrl : () => publicUrl;
  app.get('/healthz', healthRoute(store, storeKind));
  app.get(botSchemaRoute, botSchemaHandler(() => url().replace(/\/+$/, '')));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((req, _res, next) => next(new ParleyError('not-found', `no route ${req.method} ${loggedPath(req.path)}`)));
  app.use(errorHandler(log, (kind) => metrics.serverError(kind)));
}

/**
 * The channels' routes of one bot, on its engine: mounted at the root for a server of one bot,
 * and under `/bots/:id` (`basePath`, e.g. `/bots/acme`) beside others. Channels get a `run`
 * that is runTurn on this engine, timed for /metrics; they never see the engine itself.
 */
export function botRoutes<R extends Router | Express = Router>(options: BotRouteOptions & { basePath?: string }, into?: R): R {
  const { engine, settings, log, metrics } = options;
  const publicUrl = typeof options.publicUrl === 'function' ? options.publicUrl : () => options.publicUrl as string;
  const base = () => publicUrl().replace(/\/+$/, '');
  const basePath = options.basePath ?? '';

  const run = async (request: TurnRequest, turnOptions: TurnOptions = {}): Promise<TurnAnswer> => {
    const started = performance.now();
    const observe = () => metrics.turn(request.user.channel, (performance.now() - started) / 1000);
    // A turn past its deadline is timed when it ends, which is when `late` is called.
    const late = async (rest: TurnOutput) => {
      observe();
      await turnOptions.late?.(rest);
    };
    const answer = await runTurn(engine, request, { deadlineMs: turnOptions.deadlineMs, late });
    // Retries ran nothing: they are not turns.
    if (answer.duplicate !== true && answer.continues !== true) observe();
    return answer;
  };

  const app = into ?? (Router() as R);
  // The bot's own words in each conversation's language, for what channels say themselves.
  // Read on every call: a reloaded bot may speak other words.
  const words: Words = (language) => botWords(engine.bot.settings)(language);
  const { authToken, accountSid } = settings.twilio;
  const signature: TwilioSignatureSettings = { authToken, validate: settings.twilio.validate, publicUrl: base };
  const send =
    accountSid !== undefined && authToken !== undefined
      ? counted(metrics, twilioSender({ accountSid, authToken, ...(settings.twilio.apiUrl === undefined ? {} : { apiUrl: settings.twilio.apiUrl }) }), (message) =>
          message.to.startsWith('whatsapp:') ? 'whatsapp' : 'sms',
        )
      : undefined;
  // The webhooks first: express tries layers in order, and they take nearly every request.
  twilioSmsRoutes({ run, signature, deadlineMs: options.deadlineMs ?? 12_000, send, log }, app);
  // SMS, WhatsApp and callers (by SMS) are reached unprompted through the REST API alike.
  engine.senders.set('twilio', twilioUnprompted(send));

  const voicePath = () => {
    const path = new URL(base()).pathname.replace(/\/+$/, '');
    return `${path}${basePath}/twilio/voice`;
  };
  twilioVoiceRoutes(
    {
      run,
      signature,
      scratch: engine.store.keyed,
      botId: engine.bot.id,
      // Read on every call: a reloaded bot may speak another language.
      voice: {
        get language() {
          return engine.bot.settings.language;
        },
        get voice() {
          return voiceFor(engine.bot.settings);
        },
        words,
        get path() {
          return voicePath();
        },
      },
      deadlineMs: options.voiceDeadlineMs ?? 6_000,
      log,
    },
    app,
  );
  // botbuilder is loaded only for a server that takes Bot Framework activities.
  if (settings.botFramework.appId !== undefined || settings.botFramework.emulator) {
    const loading = import('../../channels/bot-framework/webhook.js').then(({ botFrameworkRoutes }) =>
      botFrameworkRoutes({
        run,
        appId: settings.botFramework.appId,
        botbuilderSettings: settings.botFramework.options,
        deadlineMs: options.deadlineMs ?? 12_000,
        emulator: settings.botFramework.emulator,
        ...(options.botFrameworkAuthTimeoutMs === undefined ? {} : { authTimeoutMs: options.botFrameworkAuthTimeoutMs }),
        ...(options.botFrameworkReplyBounds === undefined ? {} : { replyBounds: options.botFrameworkReplyBounds }),
        deliveryFailed: (channel) => metrics.replyDeliveryFailed(channel),
        background: (work) => void engine.inFlight.track(work),
        words,
        log,
      }),
    );
    // Registered at once, not when botbuilder has loaded: a conversation resumed in the first
    // moments after a start (a sign-in link completed meanwhile) waits for it rather than
    // finding no sender and leaving its user without the bot's answer.
    engine.senders.set('botframework', async (address, output) => {
      const { unprompted } = await loading;
      if (unprompted === undefined) throw new Error('the Bot Framework channel cannot send unprompted');
      await unprompted(address, output);
    });
    // On its own path only: no other request waits for botbuilder, or fails when it cannot load.
    const botFrameworkRoute = lazyRoutes(() => loading.then((botFramework) => botFramework.router));
    (app as Router).all('/api/messages', botFrameworkRoute);
  }

  const { appSecret, verifyToken, accessToken } = settings.meta;
  if (appSecret !== undefined && verifyToken !== undefined) {
    const graphSend =
      accessToken === undefined
        ? undefined
        : counted(metrics, graphSender({ graphUrl: settings.meta.graphUrl ?? defaultGraphUrl, accessToken }), (call) => (call.path === '/me/messages' ? 'messenger' : 'whatsapp'));
    engine.senders.set('meta', metaUnprompted(graphSend, settings.meta.phoneNumberId));
    metaRoutes(
      {
        run,
        appSecret,
        verifyToken,
        phoneNumberId: settings.meta.phoneNumberId,
        send: graphSend,
        deadlineMs: options.metaDeadlineMs ?? 3_000,
        background: (work) => void engine.inFlight.track(work),
        words,
        log,
      },
      app,
    );
  }

  // Admin paths name a user: the request log leaves them out, and the routes log lines of their own.
  app.use(adminRoutes({ store: engine.store, token: settings.adminToken, bot: engine.bot, log }));
  app.use(authRoutes({ engine, log, publicUrl: base }));

  return app;
}

/** A platform's sender that counts what it failed to deliver; the failure still reaches its caller. */
function counted<T>(metrics: ServerMetrics, send: (item: T) => Promise<void>, channelOf: (item: T) => ChannelId): (item: T) => Promise<void> {
  return async (item) => {
    try {
      await send(item);
    } catch (error) {
      metrics.replyDeliveryFailed(channelOf(item));
      throw error;
    }
  };
}

/**
 * Every request's id, and its line: method, route pattern and status; never the path (admin
 * routes name users in it) unless no route matched, nor the query, a body or a header. And the
 * request counted by its route's pattern (`/bots/:id/twilio/sms`, never the path, whose ids
 * would make a series per bot and per caller). One layer, not two: each layer of express'
 * router is work (and garbage) on every webhook.
 */
function requestLine(log: Log, metrics: ServerMetrics): express.RequestHandler {
  return (req, res, next) => {
    const requestId = giveRequestId(req, res);
    const started = performance.now();
    // Read now: a mounted router changes req.url while it runs.
    const path = req.path;
    // Admin paths name a user, even a mistyped one: the admin routes log lines of their own.
    if (!adminPath.test(path)) {
      res.on('finish', () => {
        const route = routeOf(req, res);
        metrics.request(route, res.statusCode);
        const ms = Math.round(performance.now() - started);
        const fields = route === 'unmatched' ? { requestId, method: req.method, route, path: loggedPath(path).slice(0, 200), status: res.statusCode, ms } : { requestId, method: req.method, route, status: res.statusCode, ms };
        if (path === '/healthz' || path === '/metrics') log.debug(fields, 'request');
        else log.info(fields, 'request');
      });
    }
    inRequestContext(requestId, next);
  };
}

const adminPath = /^(?:\/bots\/[^/]+)?\/admin(?:\/|$)/;

/** The pattern of the route that answered: a mount's pattern (res.locals.routePrefix) and the route's path. */
function routeOf(req: express.Request, res: express.Response): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string') return 'unmatched';
  const prefix: unknown = res.locals.routePrefix;
  return typeof prefix === 'string' ? prefix + path : path;
}
