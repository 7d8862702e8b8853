// The bot file, format 1 (shared/spec/bot-format.md), as a zod schema.
// This file is the single source of the bot's shape: the loader checks files against it,
// the CLI's `schema` prints it as JSON Schema, and the runtime's types are inferred from it.
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, starting with a letter or digit');
const stepId = z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore');
/** A step id of the same script, "script-id", or "script-id#step-id". */
const target = z.string().min(1);
// Text that reaches a user or a request: control characters would break a TwiML answer or a
// header, so only tabs and line breaks are allowed.
const template = z.string().regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'text cannot hold control characters (only tabs and line breaks): remove them');
/** An HTTP header's name is a token (RFC 9110): no spaces, no colon. */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name is letters, digits and !#$%&\'*+.^_`|~-, with no spaces or colon');
/** A line break would end the header and start another: a request's headers are the author's alone. */
const headerValue = template.regex(/^[^\r\n]*$/, 'a header value cannot hold a line break: write it on one line');
const headers = z.record(headerName, headerValue);
const variable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and underscores, not starting with a digit');
/** `{ "var": "path" }`: where in a JSON answer each variable's value is (field, dotted path or JSONPath). */
const saveMap = z.record(variable, z.string().min(1));
const secondsPositive = z.number().int().positive();

export const question = z.strictObject({
  ask: template,
  field: z.string().min(1),
  secret: z.boolean().default(false),
  say: template.optional(),
});

export const authTokenDefinition = z.strictObject({
  mode: z.literal('credentials').default('credentials'),
  method: z.enum(['POST', 'GET']).default('POST'),
  url: template.min(1),
  questions: z.array(question).min(1),
  fields: z.record(z.string(), template).optional(),
  headers: headers.optional(),
  encoding: z.enum(['json', 'form']).default('json'),
  ttl: secondsPositive,
  json: z.boolean().default(true),
  tokenPath: z.string().min(1).optional(),
  expiresInPath: z.string().min(1).optional(),
  accountPath: z.string().min(1).optional(),
  validation: z.enum(['text', 'number']).default('text'),
  invalidMessage: template.optional(),
  maxAttempts: secondsPositive.max(20).default(3),
  scope: z.enum(['user', 'conversation']).optional(),
  timeout: z.number().positive().max(120).default(10),
});

const choiceOption = z.strictObject({
  label: template.min(1),
  value: z.string().min(1),
  goto: target.optional(),
});

const base = { id: stepId.optional() };

export const messageStep = z.strictObject({ ...base, type: z.literal('message'), text: template, say: template.optional() });

export const inputType = z.enum(['text', 'number', 'digits', 'email', 'phone', 'yesno', 'choice']);

export const questionStep = z.strictObject({
  ...base,
  type: z.literal('question'),
  ask: template,
  say: template.optional(),
  save: variable,
  input: inputType.default('text'),
  options: z.array(choiceOption).min(1).optional(),
  pattern: z.string().min(1).optional(),
  numDigits: z.number().int().min(1).max(64).optional(),
  keypad: z.boolean().default(false),
  invalid: template.optional(),
  maxAttempts: z.number().int().min(1).max(20).default(3),
  onFailure: target.optional(),
});

export const authTokenStep = z.strictObject({
  ...base,
  type: z.literal('authToken'),
  token: z.string().min(1),
  onFailure: target.optional(),
  save: saveMap.optional(),
});

export const webServiceStep = z.strictObject({
  ...base,
  type: z.literal('webService'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  url: template.min(1),
  headers: headers.optional(),
  body: z.json().optional(),
  authToken: z.string().min(1).optional(),
  save: saveMap.optional(),
  timeout: z.number().positive().max(120).default(10),
  onError: target.optional(),
});

export const conditionOp = z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains', 'matches', 'exists', 'empty']);

const when = z.strictObject({
  var: z.string().min(1),
  op: conditionOp,
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});

export const conditionStep = z.strictObject({
  ...base,
  type: z.literal('condition'),
  branches: z.array(z.strictObject({ when, goto: target })).min(1),
  else: target.optional(),
});

export const setStep = z.strictObject({ ...base, type: z.literal('set'), vars: z.record(variable, template) });

export const gotoStep = z
  .strictObject({ ...base, type: z.literal('goto'), step: target.optional(), script: z.string().min(1).optional() })
  .refine((s) => (s.step === undefined) !== (s.script === undefined), { message: 'a goto names either "step" or "script", not both or neither' });

export const forgetTokenStep = z.strictObject({ ...base, type: z.literal('forgetToken'), token: z.string().min(1) });

export const endStep = z.strictObject({ ...base, type: z.literal('end'), text: template.optional(), say: template.optional() });

export const step = z.discriminatedUnion('type', [
  messageStep,
  questionStep,
  authTokenStep,
  webServiceStep,
  conditionStep,
  setStep,
  gotoStep,
  forgetTokenStep,
  endStep,
]);

export const script = z.strictObject({ steps: z.array(step).min(1) });

export const settings = z.strictObject({
  sessionTimeout: secondsPositive.default(1800),
  language: z.string().default('en-US'),
  voice: z.string().default('alice'),
  maxStepsPerTurn: z.number().int().min(10).max(10_000).default(200),
  /** Auth and web service calls one user message may cause; a loop of calls is an author's bug, not work. */
  maxCallsPerTurn: z.number().int().min(1).max(100).default(10),
});

export const trigger = z.strictObject({
  keywords: z.array(z.string().regex(/\S/, 'a keyword needs something besides spaces: a blank one would fire on every empty message')).min(1),
  script: z.string().min(1),
});

/**
 * Under BOT_DIR, what a bot answers for on the routes without a /bots/:id prefix (an extension
 * to format 1, see the README): Twilio's `To` numbers, Meta's page ids and WhatsApp phone
 * number ids, the Bot Framework's app ids (an activity's recipient id). Each is claimed by one
 * bot of the folder; a bot serving alone answers for everything.
 */
export const answersFor = z.strictObject({
  numbers: z.array(z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'write a phone number in E.164 form, like +15550100000 (a WhatsApp sender too, without "whatsapp:")')).optional(),
  pages: z.array(z.string().regex(/^[0-9]{1,32}$/, "a Facebook page id is digits: the page's id in Meta's settings")).optional(),
  whatsappNumberIds: z.array(z.string().regex(/^[0-9]{1,32}$/, "a WhatsApp phone number id is digits: the number's id in Meta's WhatsApp settings (not the number itself)")).optional(),
  appIds: z.array(z.string().min(1).regex(/^\S+$/, 'an app id has no spaces')).optional(),
});

export const botFile = z.strictObject({
  $schema: z.string().optional(),
  format: z.literal(1),
  id,
  name: z.string().min(1),
  start: z.string().min(1),
  triggers: z.array(trigger).default([]),
  settings: settings.prefault({}),
  authTokens: z.record(id, authTokenDefinition).default({}),
  scripts: z.record(id, script).refine((s) => Object.keys(s).length > 0, { message: 'a bot needs at least one script' }),
  answersFor: answersFor.optional(),
});

export type BotFile = z.output<typeof botFile>;
export type AuthTokenDefinition = z.output<typeof authTokenDefinition>;
export type AuthQuestion = z.output<typeof question>;
export type Step = z.output<typeof step>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type InputType = z.output<typeof inputType>;
export type ConditionOp = z.output<typeof conditionOp>;
export type Script = z.output<typeof script>;
export type Settings = z.output<typeof settings>;
export type AnswersFor = z.output<typeof answersFor>;
