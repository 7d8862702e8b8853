// What a channel is. Each folder in channels/ is one platform's translation, and nothing else:
// - inbound: the platform's webhook as TurnRequests (user with the authority that vouched for
//   it, conversation, input, delivery id, the platform's time when it gives one);
// - outbound: a TurnOutput as the platform's answer (TwiML, activities, Graph API calls);
// - authenticity: the platform's signature or token, checked before anything is read;
// - sending later: replies of a turn that outlived the webhook's deadline.
// Channels reach the runtime only through `RunTurn`; the runtime imports no channel.
import type { TurnAnswer, TurnOptions, TurnRequest } from '../src/runtime/run-turn.js';
import type { ChannelId } from '../src/runtime/turn.js';

/** A turn, as the server gives it to a channel: runTurn on its engine, timed for /metrics. */
export type RunTurn = (request: TurnRequest, options?: TurnOptions) => Promise<TurnAnswer>;

/** A reply that never reached its channel, for /metrics. */
export type DeliveryFailed = (channel: ChannelId) => void;
