// A Bot Framework activity as a turn request, and a turn's output as activities. Facebook
// Messenger through Azure Bot Service is the `messenger` channel; every other (Web Chat,
// Direct Line, the Emulator, …) is `web`, which has no sign-in.
import { ActionTypes, type Activity, type CardAction } from 'botbuilder';
import type { TurnRequest } from '../../src/runtime/run-turn.js';
import { builtInWords, type Words } from '../../src/runtime/phrasebook.js';
import type { Authority, ChannelId, TurnOutput, UserInput } from '../../src/runtime/turn.js';
import { buttonChoices } from '../choices.js';
import { dig } from '../fields.js';

export function channelOf(channelId: string | undefined): ChannelId {
  return channelId === 'facebook' ? 'messenger' : 'web';
}

/**
 * Undefined for what is not a user's message (conversationUpdate, typing…): nothing to run.
 * `via`: `botframework` when the Bot Service's token was checked, `emulator` when not.
 */
export function turnRequestOf(activity: Partial<Activity>, via: Authority): TurnRequest | undefined {
  if (activity.type !== 'message') return undefined;
  const userId = activity.from?.id;
  const conversationId = activity.conversation?.id;
  if (!userId || !conversationId) return undefined;

  const input: UserInput = { text: typeof activity.text === 'string' ? activity.text : '' };
  const choice = choiceOf(activity);
  if (choice !== undefined) input.choice = choice;
  const request: TurnRequest = {
    user: { id: userId, channel: channelOf(activity.channelId), via },
    conversation: `${activity.channelId ?? 'unknown'}:${conversationId}`,
    input,
  };
  if (activity.id) request.delivery = `botframework:${activity.channelId ?? ''}:${activity.id}`;
  // The channel's own time of the message (botbuilder may hand it over as a Date or a string).
  const sent = activity.timestamp === undefined ? NaN : new Date(activity.timestamp as Date | string).getTime();
  if (Number.isFinite(sent) && sent > 0) request.sentAt = sent;
  return request;
}

// Messenger's quick-reply payload reaches the bot only inside channelData; a card's button
// (or an Adaptive Card submit) comes as `value`.
function choiceOf(activity: Partial<Activity>): string | undefined {
  const data: unknown = activity.channelData;
  const payload = dig(data, 'message', 'quick_reply', 'payload') ?? dig(data, 'postback', 'payload');
  if (typeof payload === 'string' && payload !== '') return payload;
  const value: unknown = activity.value;
  if (typeof value === 'string' && value !== '') return value;
  const inner = dig(value, 'value');
  return typeof inner === 'string' && inner !== '' ? inner : undefined;
}


/** One message activity per reply; the question last, its choices as suggested actions. */
export function activitiesOf(output: TurnOutput, words: Words = builtInWords): Partial<Activity>[] {
  const activities: Partial<Activity>[] = output.replies.filter((reply) => reply.text !== '').map((reply) => ({ type: 'message', text: reply.text }));
  const prompt = output.prompt;
  if (prompt !== undefined) {
    const choices = buttonChoices(prompt, words(output.language));
    const activity: Partial<Activity> = { type: 'message', text: prompt.text };
    if (choices.length > 0) {
      const actions: CardAction[] = choices.map((choice) => ({ type: ActionTypes.ImBack, title: choice.label, value: choice.value }));
      activity.suggestedActions = { to: [], actions };
    }
    activities.push(activity);
  }
  return activities;
}
