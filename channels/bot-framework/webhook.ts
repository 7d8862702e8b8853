// POST /api/messages through botbuilder's CloudAdapter: it checks the Bot Service's JWT (with
// MicrosoftAppId set) and sends our activities to the activity's serviceUrl. Replies of a turn
// that outlives the deadline are sent proactively, with the conversation's reference.
import express, { Router } from 'express';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TurnContext,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { TurnAnswer, TurnOptions, TurnRequest } from '../../src/runtime/conversation.js';
import { ParleyError } from '../../src/runtime/errors.js';
import type { Log } from '../../src/runtime/log.js';
import type { TurnOutput } from '../../src/runtime/turn.js';
import { activitiesOf, turnRequestOf } from './activity.js';

export interface BotFrameworkDeps {
  run: (request: TurnRequest, options?: TurnOptions) => Promise<TurnAnswer>;
  /** MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId. */
  env: NodeJS.ProcessEnv;
  /** The Bot Service gives a request 15 s. */
  deadlineMs: number;
  /**
   * Without an app id (local mode) nothing authenticates a request, and the server would post
   * replies wherever its serviceUrl says: then only a loopback serviceUrl (the Emulator's) is
   * served, unless this is true (ALLOW_PRIVATE_NETWORKS, for development).
   */
  anyServiceUrlInLocalMode: boolean;
  log: Log;
}

const sorry = 'Sorry, something went wrong on our side. Please send that again.';
// The Bot Service and Direct Line clients retry on their own schedules, not within a window
// as short as Twilio's: an activity's answer is kept an hour.
const deliveryTtlSeconds = 3600;

export function botFrameworkRoutes(deps: BotFrameworkDeps): Router {
  const appId = deps.env.MicrosoftAppId?.trim() ?? '';
  const auth = new ConfigurationBotFrameworkAuthentication(deps.env as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  // Without this the adapter answers 500 with the error's message: internals must not leak.
  adapter.onTurnError = async (_context, error) => {
    deps.log.error({ err: error }, 'Bot Framework turn failed');
  };

  const logic = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    const request = turnRequestOf(activity, appId === '' ? 'emulator' : 'botframework');
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

  const router = Router();
  // botbuilder reads req.body: the JSON parser must run first (else it answers 400).
  router.post('/api/messages', express.json({ limit: '100kb' }), async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ParleyError('bad-request', 'the body is not an activity');
    if (appId === '' && !deps.anyServiceUrlInLocalMode && !isLoopbackUrl((body as { serviceUrl?: unknown }).serviceUrl)) {
      throw new ParleyError('forbidden', 'without MicrosoftAppId only a local serviceUrl (the Emulator) is served');
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

function isLoopbackUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const host = new URL(value).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
