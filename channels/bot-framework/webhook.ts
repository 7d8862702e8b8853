// POST /api/messages through botbuilder's CloudAdapter. With MicrosoftAppId set, botbuilder
// checks the Bot Service's JWT; we run that check under a time limit and answer every refusal
// with a 401 of our own. Without credentials the route is off, unless BOT_FRAMEWORK_EMULATOR
// asks for the Emulator: unauthenticated activities, from loopback only. Replies go to the
// activity's serviceUrl; those of a turn that outlives the deadline are sent proactively.
import express, { Router, type Request } from 'express';
import ipaddr from 'ipaddr.js';
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
} from 'botbuilder';
import type { TurnAnswer } from '../../src/runtime/run-turn.js';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import type { Authority, ReplyAddress, TurnOutput } from '../../src/runtime/turn.js';
import type { SendUnprompted } from '../../src/runtime/resume.js';
import type { JsonValue } from '../../src/json.js';
import { activitiesOf, channelOf, turnRequestOf } from './activity.js';
import { activityOf } from './inbound-activity.js';
import { sendWithin, type SendBounds } from './reply-sending.js';
import type { DeliveryFailed, RunTurn } from '../channel.js';
import type { Words } from '../../src/runtime/phrasebook.js';

export interface BotFrameworkDeps {
  run: RunTurn;
  /** MicrosoftAppId: without it, nothing authenticates an activity. */
  appId: string | undefined;
  /**
   * What botbuilder reads itself: MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType,
   * MicrosoftAppTenantId, and its own settings (ToBotFromChannelOpenIdMetadataUrl, …).
   */
  botbuilderSettings: Readonly<Record<string, string>>;
  /** The Bot Service gives a request 15 s. */
  deadlineMs: number;
  /**
   * BOT_FRAMEWORK_EMULATOR: without MicrosoftAppId, serve the Bot Framework Emulator, whose
   * activities nothing authenticates. Without either the route does not exist.
   */
  emulator: boolean;
  /** How long checking a token may take, OpenID metadata and keys fetched included (5 s). */
  authTimeoutMs?: number;
  /**
   * How long the answer waits for its replies to reach the serviceUrl (2 s: with the 12 s
   * deadline, within the Bot Service's 15 s), and when a send without an end counts as failed,
   * which also frees the conversation a late send holds (30 s).
   */
  replyBounds?: SendBounds;
  /** A reply that did not reach the channel, for /metrics. */
  deliveryFailed: DeliveryFailed;
  /** Sends that go on after the answer, so shutdown can wait for them. */
  background?: (work: Promise<void>) => void;
  /** The bot's words for buttons (Yes, No); Parley's own without. */
  words?: Words;
  log: Log;
}

type Authentication = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
type Logic = (context: TurnContext) => Promise<void>;

/** CloudAdapter given a request the route authenticated already, so that the check has a time limit. */
class AuthenticatedAdapter extends CloudAdapter {
  processAuthenticated(authentication: Authentication, activity: Activity, logic: Logic): Promise<InvokeResponse | undefined> {
    return this.processActivity(authentication, activity, logic);
  }
}

const sorry = 'Sorry, something went wrong on our side. Please send that again.';
// The Bot Service and Direct Line clients retry on their own schedules, not within a window
// as short as Twilio's: an activity's answer is kept an hour.
const deliveryTtlSeconds = 3600;

export interface BotFrameworkChannel {
  router: Router;
  /** Proactive messages to a conversation seen before; absent when the route is off. */
  unprompted?: SendUnprompted;
}

export function botFrameworkRoutes(deps: BotFrameworkDeps): BotFrameworkChannel {
  const router = Router();
  const appId = deps.appId ?? '';
  // Who vouches for the users of this route: the Bot Service's token, or nobody (the Emulator).
  const via: Authority | undefined = appId !== '' ? 'botframework' : deps.emulator ? 'emulator' : undefined;
  // Without credentials anyone could post any user id; a route that is not there refuses them all.
  if (via === undefined) return { router };

  const authentication = new ConfigurationBotFrameworkAuthentication({ ...deps.botbuilderSettings } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new AuthenticatedAdapter(authentication);
  // Without this the adapter answers 500 with the error's message: internals must not leak.
  adapter.onTurnError = async (_context, error) => {
    deps.log.error({ err: error }, 'Bot Framework turn failed');
  };
  const authTimeoutMs = deps.authTimeoutMs ?? 5_000;
  const replyBounds = deps.replyBounds ?? { waitMs: 2_000, giveUpMs: 30_000 };
  // A late send holds the conversation (its replies must come before the next turn's): it is
  // waited for until the give-up time rather than the answer's short wait.
  const lateBounds = { waitMs: replyBounds.giveUpMs, giveUpMs: replyBounds.giveUpMs };

  /** Sends within `bounds`; a failure is counted and logged on one line, without a stack. */
  const sendReplies = (activity: Activity, conversation: string, bounds: SendBounds, send: () => Promise<unknown>) => {
    const channel = channelOf(activity.channelId ?? undefined);
    return sendWithin(
      send,
      bounds,
      (reason) => {
        deps.deliveryFailed(channel);
        deps.log.warn({ conversation, channel, reason }, 'replies could not be delivered to the serviceUrl');
      },
      deps.background,
    );
  };

  const logic = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    // Parley handles no invoke (card buttons come as messages with a `value`). botbuilder would
    // answer 501, which Teams shows the user as an error on the card or tab that sent it, and a
    // 4xx would read the same; an invoke response of 200 says "received, nothing to return",
    // as the Bot Framework expects of a bot that does not handle that invoke name. No turn runs.
    if (activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200 } });
      return;
    }
    const turnRequest = turnRequestOf(activity, via);
    if (turnRequest === undefined) return;
    const reference = TurnContext.getConversationReference(activity);
    const request = { ...turnRequest, address: botFrameworkAddress(reference) };
    const late = async (rest: TurnOutput) => {
      const activities = activitiesOf(rest, deps.words);
      if (activities.length === 0) return;
      await sendReplies(activity, request.conversation, lateBounds, () =>
        adapter.continueConversationAsync(appId, reference, async (later) => {
          await later.sendActivities(activities);
        }),
      );
    };
    let answer: TurnAnswer;
    try {
      answer = await deps.run({ ...request, deliveryTtlSeconds }, { deadlineMs: deps.deadlineMs, late });
    } catch (error) {
      deps.log.error({ err: error, conversation: request.conversation }, 'turn failed');
      await sendReplies(activity, request.conversation, replyBounds, () => context.sendActivity(sorry));
      return;
    }
    // A retry: its replies went to the serviceUrl the first time, except when they were to
    // come back in the (lost) HTTP answer.
    if (answer.duplicate === true && activity.deliveryMode !== 'expectReplies') return;
    const activities = activitiesOf(answer, deps.words);
    if (activities.length > 0) await sendReplies(activity, request.conversation, replyBounds, () => context.sendActivities(activities));
  };

  // botbuilder checks the token, but its key fetch has no time limit and each of its failures
  // becomes a 500 quoting its message (and at times the caller's claims): here every refusal is
  // a 401 of our own, with a reason of our own in the log.
  const authenticate = async (activity: Activity, header: string): Promise<Authentication> => {
    try {
      return await within(authTimeoutMs, authentication.authenticateRequest(activity, header));
    } catch (error) {
      throw new ParleyError('unauthorized', `Bot Framework token refused: ${header.trim() === '' ? 'no token' : refusalOf(error)}`);
    }
  };

  if (via === 'emulator') {
    // The TCP peer, not X-Forwarded-For: the Emulator runs on this machine (`trust proxy` is off).
    router.post('/api/messages', (req, _res, next) => {
      next(isLoopbackAddress(req.socket.remoteAddress) ? undefined : new ParleyError('forbidden', 'the Emulator is served to loopback callers only'));
    });
  }
  // The JSON parser runs first: botbuilder reads the activity from req.body.
  router.post('/api/messages', express.json({ limit: '100kb' }), async (req, res) => {
    // Checked before anything reads it: the token check reads serviceUrl and channelId too.
    const activity = activityOf(req.body);
    // Unauthenticated replies go wherever serviceUrl says: only back to this machine.
    if (via === 'emulator' && !isLoopbackUrl(activity.serviceUrl)) {
      throw new ParleyError('forbidden', 'the Emulator is served with a loopback serviceUrl only');
    }
    const answer = await adapter.processAuthenticated(await authenticate(activity, authorizationOf(req)), activity, logic);
    res.status(answer?.status ?? 200);
    if (answer?.body === undefined) res.end();
    else res.json(answer.body);
  });
  // A proactive message, as late replies are sent: to the serviceUrl of the conversation's
  // newest activity, failing (counted and thrown) when the connector does not take it in time.
  const unprompted: SendUnprompted = async (address, output) => {
    const reference = referenceOf(address);
    if (reference === undefined) throw new Error('not a Bot Framework address');
    const activities = activitiesOf(output);
    if (activities.length === 0) return;
    let failure: string | undefined;
    await sendWithin(
      () => adapter.continueConversationAsync(appId, reference, async (later) => void (await later.sendActivities(activities))),
      lateBounds,
      (reason) => {
        failure = reason;
        deps.deliveryFailed(channelOf(reference.channelId));
      },
    );
    if (failure !== undefined) throw new Error(`the proactive message was not delivered: ${failure}`);
  };
  return { router, unprompted };
}

/** A conversation reference as the session keeps it: plain JSON, without undefined fields. */
function botFrameworkAddress(reference: Partial<ConversationReference>): ReplyAddress {
  return { kind: 'botframework', reference: JSON.parse(JSON.stringify(reference)) as JsonValue };
}

function referenceOf(address: ReplyAddress): ConversationReference | undefined {
  const reference = address.reference;
  if (typeof reference !== 'object' || reference === null || Array.isArray(reference)) return undefined;
  const { serviceUrl, conversation } = reference;
  if (typeof serviceUrl !== 'string' || typeof conversation !== 'object' || conversation === null || Array.isArray(conversation) || typeof conversation.id !== 'string') return undefined;
  return reference as unknown as ConversationReference;
}

function authorizationOf(req: Request): string {
  const header = req.headers.authorization;
  return typeof header === 'string' ? header : '';
}

class AuthTimeout extends Error {}

/** `promise`, or an AuthTimeout after `ms`; a check that ends later has no one to tell. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new AuthTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A reason for the log, in our words: botbuilder's messages can quote the caller's claims. */
function refusalOf(error: unknown): string {
  if (error instanceof AuthTimeout) return 'timed out fetching the OpenID metadata or keys';
  const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : undefined;
  const name = error instanceof Error ? error.name : undefined;
  if ((status !== undefined && status >= 500) || name === 'FetchError') return 'the OpenID metadata or keys could not be fetched';
  return 'invalid token';
}

/** The TCP peer of an Emulator request must be this machine; X-Forwarded-For is never read. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined || !ipaddr.isValid(address)) return false;
  // process() reads ::ffff:127.0.0.1 as the IPv4 address it stands for.
  return ipaddr.process(address).range() === 'loopback';
}

function isLoopbackUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const host = new URL(value).hostname.replace(/^\[(.*)\]$/, '$1');
    return host === 'localhost' || isLoopbackAddress(host);
  } catch {
    return false;
  }
}
