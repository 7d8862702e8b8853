// A Twilio Voice webhook as one of the moments of a call. The step counter `n` travels in the
// URLs our TwiML gives Twilio (`/twilio/voice?n=3`), so a retried callback names the same step.
import type { TurnRequest } from '../../src/runtime/run-turn.js';
import type { Authority, ReplyAddress, User, UserInput } from '../../src/runtime/turn.js';
import { field, phoneOf } from '../fields.js';
import { twilioSid } from '../twilio/signature.js';
import { twilioAddress } from '../twilio/unprompted.js';

export type CallMoment =
  /** The call rings: the conversation starts without input. */
  | { kind: 'start' }
  /** The caller answered the question of step `n`, by keypad or speech. */
  | { kind: 'answer'; n: number; input: UserInput }
  /** The question of step `n` got no input; `times` 1 asks again, 2 counts as a wrong answer. */
  | { kind: 'silence'; n: number; times: 1 | 2 }
  /** Twilio came back for the rest of the slow turn of step `n`; `tries` so far. */
  | { kind: 'wait'; n: number; tries: number };

export interface InboundCall {
  callSid: string;
  user: User;
  moment: CallMoment;
  address?: ReplyAddress;
}


export function parseCall(fields: Record<string, unknown>, query: Record<string, unknown>, via: Authority): InboundCall | undefined {
  const callSid = twilioSid(fields, 'CallSid');
  const from = field(fields, 'From')?.trim();
  if (!callSid || !from) return undefined;
  const user: User = { id: from, channel: 'phone', via, ...phoneOf(from) };
  // A caller is reached unprompted by SMS, from the number they called: only between phone numbers.
  const to = field(fields, 'To')?.trim();
  const address = to !== undefined && user.phone !== undefined && phoneOf(to).phone !== undefined ? twilioAddress(to, from) : undefined;

  const wait = count(query.wait);
  const n = count(query.n);
  const digits = field(fields, 'Digits')?.trim() ?? '';
  const speech = field(fields, 'SpeechResult')?.trim() ?? '';
  let moment: CallMoment;
  if (wait !== undefined) moment = { kind: 'wait', n: wait, tries: count(query.w) ?? 0 };
  else if (n === undefined || n === 0) moment = { kind: 'start' };
  else if (digits !== '') moment = { kind: 'answer', n, input: { text: digits, keypad: true } };
  else if (speech !== '') moment = { kind: 'answer', n, input: { text: speech } };
  else moment = { kind: 'silence', n, times: query.timeout === '2' ? 2 : 1 };
  return { callSid, user, moment, ...(address && { address }) };
}

/** The turn of a moment that runs one: step 0 is the call's start. */
export function callTurn(call: InboundCall, n: number, input?: UserInput): TurnRequest {
  const request: TurnRequest = { user: call.user, conversation: `phone:${call.callSid}`, delivery: `twilio-call:${call.callSid}:${n}` };
  if (input !== undefined) request.input = input;
  if (call.address !== undefined) request.address = call.address;
  return request;
}

function count(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}
