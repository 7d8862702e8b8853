// POST /api/messages through botbuilder's CloudAdapter: it checks the Bot Service's JWT (with
// MicrosoftAppId set) and sends our activities to the activity's serviceUrl. Without
// credentials the route is off, unless BOT_FRAMEWORK_EMULATOR asks for the Emulator:
// unauthenticated activities, from loopback only. Replies of a turn that outlives the deadline
// are sent proactively, with the conversation's reference.
import express, { Router } from 'express';
import ipaddr from 'ipaddr.js';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TurnContext,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { TurnAnswer, TurnOptions, TurnRequest } from '../../src/runtime/conversation.js';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import type { Authority, TurnOutput } from '../../src/runtime/turn.js';
import { activitiesOf, turnRequestOf } from './activity.js';

export interface BotFrameworkDeps {
  run: (request: TurnRequest, options?: TurnOptions) => Promise<TurnAnswer>;
  /** MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId. */
  env: NodeJS.ProcessEnv;
  /** The Bot Service gives a request 15 s. */
  deadlineMs: number;
  /**
   * BOT_FRAMEWORK_EMULATOR: without MicrosoftAppId, serve the Bot Framework Emulator, whose
   * activities nothing authenticates. Without either the route does not exist.
   */
  emulator: boolean;
  log: Log;
}

const sorry = 'Sorry, something went wrong on our side. Please send that again.';
// The Bot Service and Direct Line clients retry on their own schedules, not within a window
// as short as Twilio's: an activity's answer is kept an hour.
const deliveryTtlSeconds = 3600;

export function botFrameworkRoutes(deps: BotFrameworkDeps): Router {
  const router = Router();
  const appId = deps.env.MicrosoftAppId?.trim() ?? '';
  // Who vouches for the users of this route: the Bot Service's token, or nobody (the Emulator).
  const via: Authority | undefined = appId !== '' ? 'botframework' : deps.emulator ? 'emulator' : undefined;
  // Without credentials anyone could post any user id; a route that is not there refuses them all.
  if (via === undefined) return router;

  const auth = new ConfigurationBotFrameworkAuthentication(deps.env as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  // Without this the adapter answers 500 with the error's message: internals must not leak.
  adapter.onTurnError = async (_context, error) => {
    deps.log.error({ err: error }, 'Bot Framework turn failed');
  };

  const logic = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    const request = turnRequestOf(activity, via);
    if (request === undefined) return;
    const reference = TurnContext.getConversationReference(activity);
    const late = async (rest: TurnOutput) => {
      const activities = activitiesOf(rest);
      if (activities.length === 0) return;
      await adapter.continueConversationAsync(appId, reference, async (later) => {
        await later.sendActivities(activities);
      });
    };
    let answer: TurnAnswer;
    try {
      answer = await deps.run({ ...request, deliveryTtlSeconds }, { deadlineMs: deps.deadlineMs, late });
    } catch (error) {
      deps.log.error({ err: error, conversation: request.conversation }, 'turn failed');
      await context.sendActivity(sorry);
      return;
    }
    // A retry: its replies went to the serviceUrl the first time, except when they were to
    // come back in the (lost) HTTP answer.
    if (answer.duplicate === true && activity.deliveryMode !== 'expectReplies') return;
    const activities = activitiesOf(answer);
    if (activities.length > 0) await context.sendActivities(activities);
  };

  if (via === 'emulator') {
    // The TCP peer, not X-Forwarded-For: the Emulator runs on this machine (`trust proxy` is off).
    router.post('/api/messages', (req, _res, next) => {
      next(isLoopbackAddress(req.socket.remoteAddress) ? undefined : new ParleyError('forbidden', 'the Emulator is served to loopback callers only'));
    });
  }
  // botbuilder reads req.body: the JSON parser must run first (else it answers 400).
  router.post('/api/messages', express.json({ limit: '100kb' }), async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ParleyError('bad-request', 'the body is not an activity');
    // Unauthenticated replies go wherever serviceUrl says: only back to this machine.
    if (via === 'emulator' && !isLoopbackUrl((body as { serviceUrl?: unknown }).serviceUrl)) {
      throw new ParleyError('forbidden', 'the Emulator is served with a loopback serviceUrl only');
    }
    try {
      await adapter.process(req, res, logic);
    } catch (error) {
      // The adapter throws only while reading the activity; it answers everything else itself.
      if (res.headersSent) throw error;
      throw new ParleyError('bad-request', 'the body is not a valid activity', { cause: error });
    }
  });
  return router;
}

function isLoopbackAddress(address: string | undefined): boolean {
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
