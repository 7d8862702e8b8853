// What an inbound activity must be before botbuilder or a turn sees it: the fields Parley reads
// (activity.ts) and those botbuilder copies into the replies (the conversation reference), each
// of its declared type. botbuilder trusts the JSON as it is: a numeric `from.id` ran a turn and
// then failed to serialise the reply, and every object id became `[object Object]`, one
// conversation for all of them. Other fields are let through untouched: the channels add new
// ones without notice, and `channelData` and `value` are read only through type checks.
import type { Activity } from 'botbuilder';
import * as z from 'zod';
import { ParleyError } from '../../src/runtime/errors.js';

// Optional fields may be null: botbuilder and activity.ts read null as absent.
const text = z.string().nullish();

/** A ChannelAccount: the sender, or the bot as recipient (the reply's sender). */
const account = z.looseObject({ id: z.string(), name: text, role: text, aadObjectId: text });

// Every reply carries the conversation id in an HTTP header (x-ms-conversation-id), where Node
// refuses control characters and anything past Latin-1: such an id ran a turn whose replies
// could never be sent. Channels' ids are ASCII.
const headerSafe = /^[\t\x20-\x7e\x80-\xff]*$/;

const conversation = z.looseObject({
  id: z.string().regex(headerSafe),
  name: text,
  conversationType: text,
  tenantId: text,
  aadObjectId: text,
  role: text,
  isGroup: z.boolean().nullish(),
});

// The activity id goes into the reply's URL (`…/activities/{id}`), which cannot encode a lone
// surrogate (a URIError after the turn ran).
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const urlSafe = z.string().refine((value) => !loneSurrogate.test(value)).nullish();

export const inboundActivity = z.looseObject({
  type: z.string(),
  serviceUrl: z.string(),
  id: urlSafe,
  channelId: text,
  from: account.nullish(),
  recipient: account.nullish(),
  conversation: conversation.nullish(),
  text,
  locale: text,
  timestamp: text,
  deliveryMode: text,
  replyToId: urlSafe,
});

/** The body as an activity, or a 400 naming the first field that is wrong (never its value). */
export function activityOf(body: unknown): Activity {
  const checked = inboundActivity.safeParse(body);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'the body' : `the activity's ${issue.path.join('.')}`;
    throw new ParleyError('bad-request', `${where} is not what an activity holds there`);
  }
  // The body itself, not zod's copy: botbuilder gets the fields it does not know as they came.
  return body as Activity;
}
