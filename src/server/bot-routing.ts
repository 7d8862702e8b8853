// A server of several bots (BOT_DIR). Each bot's channel routes (`botRoutes`) answer under
// `/bots/:id/…`; the routes without a prefix (`/twilio/sms`, `/meta/webhook`, …) go to the bot
// that answers for the number, page or app id the platform names (the bot file's `answersFor`),
// or to the only bot when the server has one. Routing reads only what names the receiver;
// each bot's route then checks the platform's signature as it does alone.
import { createHmac } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler, type Response, type Router } from 'express';
import { isSignedByMeta } from '../../channels/meta/signature.js';
import { readTwilioForm } from '../../channels/twilio/form.js';
import type { Claim } from '../bot/bot-registry.js';
import type { Engine } from '../runtime/engine.js';
import { ParleyError } from '../runtime/errors.js';
import type { Store } from '../stores/store.js';
import { baseApp, finishApp, type BotRouteOptions } from './create-app.js';

/** A bot being served: its engine and its channel routes (mounted under /bots/ID). */
export interface ServedBot {
  id: string;
  engine: Engine;
  routes: Router;
}

/** The bots of the server as they are now: a reload may add one, or change what one answers for. */
export interface BotDirectory {
  get(id: string): ServedBot | undefined;
  /** The bot whose `answersFor` names `value`. */
  answering(claim: Claim, value: string): ServedBot | undefined;
  /** Every bot, in file order. */
  all(): ServedBot[];
}

export interface BotsAppOptions extends Pick<BotRouteOptions, 'settings' | 'log' | 'metrics' | 'publicUrl'> {
  bots: BotDirectory;
  /** The store every bot's (scoped) store shares, for /healthz. */
  store: Store;
  storeKind: string;
}

const formType = 'application/x-www-form-urlencoded';
const parseJson = express.json({ limit: '100kb' });
const parseRaw = express.raw({ type: () => true, limit: '100kb' });

export function createBotsApp(options: BotsAppOptions): Express {
  const { bots, log, settings } = options;
  const app = baseApp(log, options.metrics);

  app.use('/bots/:id', (req, res, next) => {
    const bot = bots.get(String(req.params.id));
    if (bot === undefined) return next();
    res.locals.routePrefix = '/bots/:id';
    bot.routes(req, res, next);
  });

  /** The bot for an unprefixed request: the one that claims `value`, else the only one. */
  const receiver = (claim: Claim, value: string | undefined): ServedBot | undefined => {
    const claimed = value === undefined ? undefined : bots.answering(claim, value);
    if (claimed !== undefined) return claimed;
    const all = bots.all();
    return all.length === 1 ? all[0] : undefined;
  };
  const nobody = (what: string) => new ParleyError('not-found', `no bot of this server answers for this ${what}: name it in a bot's "answersFor", or use /bots/ID/…`);

  // Twilio: the number the user wrote to or called (`To`), the same for every request of a call.
  const twilio: RequestHandler = (req, res, next) => {
    // Not a form: any bot's route refuses it as it would alone (415).
    if (req.is(formType) !== formType) return forward(bots.all()[0], req, res, next);
    // Read once: the bot's route finds the form already read.
    readTwilioForm(req).then((fields) => {
      const to = fields.To;
      const bot = receiver('numbers', typeof to === 'string' ? to.replace(/^whatsapp:/, '') : undefined);
      if (bot === undefined) return next(nobody('number'));
      // Inside a promise's callback: anything thrown goes to the error handler, not the process.
      try {
        bot.routes(req, res, next);
      } catch (error) {
        next(error);
      }
    }, next);
  };
  app.post('/twilio/sms', twilio);
  app.post('/twilio/voice', twilio);

  // The Bot Framework: the activity's recipient, the bot's app id (`28:<app id>` on Teams).
  app.post('/api/messages', parseJson, (req, res, next) => {
    const recipient = (req.body as { recipient?: { id?: unknown } } | undefined)?.recipient?.id;
    const bot = receiver('appIds', typeof recipient === 'string' ? recipient.replace(/^28:/, '') : undefined);
    if (bot === undefined) return next(nobody('app id'));
    bot.routes(req, res, next);
  });

  // Meta: the handshake is the same for every bot (one app, one verify token).
  app.get('/meta/webhook', (req, res, next) => forward(bots.all()[0], req, res, next));
  // Events: each names its page (Messenger) or WhatsApp phone number id. A batch for one bot
  // goes to it as it came; a batch for several is checked here, then split, each part signed
  // anew with the app secret so that each bot's route checks it as it would Meta's.
  app.post('/meta/webhook', parseRaw, (req, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parts = metaParts(raw, receiver);
    if (parts === undefined || (parts.groups.size <= 1 && parts.unclaimed === 0)) {
      const [only] = parts?.groups.keys() ?? [];
      return forward(only ?? bots.all()[0], req, res, next);
    }
    const secret = settings.meta.appSecret;
    if (secret === undefined || !isSignedByMeta(secret, req.get('x-hub-signature-256'), raw)) {
      return next(new ParleyError('forbidden', 'the request does not carry a valid X-Hub-Signature-256'));
    }
    if (parts.unclaimed > 0) log.warn({ entries: parts.unclaimed }, 'Meta events for a page or number no bot of this server answers for were dropped');
    for (const [bot, body] of parts.groups) {
      const text = Buffer.from(JSON.stringify(body));
      const signed = `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;
      const part = Object.create(req) as Request;
      part.body = text;
      part.headers = { ...req.headers, 'x-hub-signature-256': signed, 'content-length': String(text.length) };
      bot.routes(part, answered, (error?: unknown) => {
        if (error !== undefined) log.error({ err: error, bot: bot.id }, 'a part of a Meta batch was refused');
      });
    }
    res.status(200).type('text/plain').send('EVENT_RECEIVED');
  });

  finishApp(app, options.store, options.storeKind, options);
  return app;
}

function forward(bot: ServedBot | undefined, req: Request, res: Response, next: (error?: unknown) => void): void {
  if (bot === undefined) return next(new ParleyError('not-found', 'this server serves no bot'));
  bot.routes(req, res, next);
}

// The answer of a bot's Meta route to a part of a batch: the batch is answered once, here.
const answered = {
  locals: {},
  status: () => answered,
  type: () => answered,
  set: () => answered,
  setHeader: () => answered,
  send: () => answered,
  end: () => answered,
  json: () => answered,
} as unknown as Response;

interface MetaParts {
  groups: Map<ServedBot, { object: unknown; entry: unknown[] }>;
  /** Entries (or WhatsApp changes) no bot answers for. */
  unclaimed: number;
}

/** A Meta batch split by the bot each entry is for; undefined when it is not a batch (the bot's route refuses it). */
function metaParts(raw: Buffer, receiver: (claim: Claim, value: string | undefined) => ServedBot | undefined): MetaParts | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { entry?: unknown }).entry)) return undefined;
  const { object, entry: entries } = body as { object: unknown; entry: unknown[] };
  const groups = new Map<ServedBot, { object: unknown; entry: unknown[] }>();
  let unclaimed = 0;
  const add = (bot: ServedBot | undefined, entry: unknown) => {
    if (bot === undefined) return void unclaimed++;
    const group = groups.get(bot) ?? { object, entry: [] };
    group.entry.push(entry);
    groups.set(bot, group);
  };
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { changes, id } = entry as { changes?: unknown; id?: unknown };
    if (object === 'whatsapp_business_account' && Array.isArray(changes)) {
      // One WhatsApp business account may hold numbers of several bots: split by change.
      for (const change of changes) {
        const number = (change as { value?: { metadata?: { phone_number_id?: unknown } } } | null)?.value?.metadata?.phone_number_id;
        add(receiver('whatsappNumberIds', typeof number === 'string' ? number : undefined), { ...entry, changes: [change] });
      }
    } else {
      add(receiver('pages', typeof id === 'string' ? id : undefined), entry);
    }
  }
  return { groups, unclaimed };
}
