// A conversation test file (`*.test.json`, shared/spec/test-format.md) as a zod schema: the
// single source of its shape for the loader, and the types the player reads.
import * as z from 'zod';
import { channelIds } from '../runtime/turn.js';

/** As the bot file writes methods; "get" is read as GET. */
const httpMethod = z.preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
const stringMap = z.record(z.string(), z.string());

/** What a stand-in answers. `timeout: true` answers nothing, as a service that hangs. */
export const standInReply = z
  .strictObject({
    status: z.number().int().min(100).max(599).optional(),
    json: z.json().optional(),
    text: z.string().optional(),
    headers: stringMap.optional(),
    timeout: z.literal(true).optional(),
  })
  .refine((r) => r.json === undefined || r.text === undefined, { message: 'a reply has "json" or "text", not both: keep one' })
  .refine((r) => r.timeout === undefined || (r.status === undefined && r.json === undefined && r.text === undefined), {
    message: 'a reply that times out sends nothing: remove "status", "json" and "text", or "timeout"',
  });

/** What a call's body and headers must hold for a stand-in to answer it (each a subset). */
export const standInWhen = z.strictObject({
  json: z.json().optional(),
  form: stringMap.optional(),
  text: z.string().optional(),
  headers: stringMap.optional(),
});

export const standIn = z.strictObject({
  method: httpMethod,
  url: z.url({ protocol: /^https?$/, error: 'a stand-in\'s "url" is a full http:// or https:// address, as the bot calls it' }),
  when: standInWhen.optional(),
  reply: standInReply,
  times: z.number().int().positive().optional(),
});

const expectedText = z.union([z.string(), z.strictObject({ matches: z.string() }), z.strictObject({ contains: z.string() })]);

/** One kind of turn per key: the loader reads a turn's key to say which one an author meant. */
export const turnKinds = {
  user: z.strictObject({ user: z.string() }),
  keys: z.strictObject({ keys: z.string().regex(/^[0-9*#]+$/, 'keys are what the phone keypad sends: digits, * and #') }),
  bot: z.strictObject({ bot: expectedText }),
  call: z.strictObject({
    call: z.strictObject({
      method: httpMethod.optional(),
      url: z.string().min(1).optional(),
      json: z.json().optional(),
      form: stringMap.optional(),
      text: z.string().optional(),
      headers: stringMap.optional(),
    }),
  }),
  vars: z.strictObject({ vars: z.record(z.string(), z.json()) }),
  ended: z.strictObject({ ended: z.boolean() }),
  signIn: z.strictObject({ signIn: z.union([z.literal('refused'), z.strictObject({ token: z.string().min(1), account: z.string().min(1).optional() })]) }),
} as const;

export type TurnKind = keyof typeof turnKinds;

export const turn = z.union([turnKinds.user, turnKinds.keys, turnKinds.bot, turnKinds.call, turnKinds.vars, turnKinds.ended, turnKinds.signIn]);

const tokenEntry = z.strictObject({ token: z.string().min(1), account: z.string().min(1).optional() });

/** What a test may say and a file of tests may say once for all of them. */
const shared = {
  bot: z.string().min(1).optional(),
  channel: z.enum(channelIds as [string, ...string[]]).optional(),
  user: z.string().min(1).optional(),
  now: z.iso.datetime({ offset: true, error: '"now" is a date and time such as "2026-12-01T09:00:00Z"' }).optional(),
  /** One token per definition, or a list for a definition with several accounts. */
  tokens: z.record(z.string(), z.union([tokenEntry, z.array(tokenEntry).min(1)])).optional(),
  services: z.array(standIn).optional(),
  secrets: stringMap.optional(),
};

export const testCase = z.strictObject({ ...shared, name: z.string().min(1).optional(), turns: z.array(turn).min(1) });

export const testSuite = z.strictObject({ $schema: z.string().optional(), ...shared, tests: z.array(testCase).min(1) });

export const singleTest = testCase.extend({ $schema: z.string().optional() });

export type StandIn = z.output<typeof standIn>;
export type StandInReply = z.output<typeof standInReply>;
export type Turn = z.output<typeof turn>;
export type TestCase = z.output<typeof testCase>;
export type TestSuite = z.output<typeof testSuite>;
