// The bot file, format 1 (docs/bot-format.md), as a zod schema.
// This file is the single source of the bot's shape: the loader checks files against it,
// the CLI's `schema` prints it as JSON Schema, and the runtime's types are inferred from it.
// The descriptions and examples below are what an editor shows on hover and completion
// (through the JSON Schema), so they are written for the author who edits a bot by hand.
import * as z from 'zod';
import { phraseNames, type PhraseName } from '../runtime/phrases.js';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, starting with a letter or digit');
const stepId = z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore');
/** A step id of the same script, "script-id", or "script-id#step-id". */
const target = z.string().min(1);
const targetHelp = 'a step id of this script, "script-id", or "script-id#step-id"';
// Text that reaches a user or a request: control characters would break a TwiML answer or a
// header, so only tabs and line breaks are allowed.
const template = z.string().regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'text cannot hold control characters (only tabs and line breaks): remove them');
/** An HTTP header's name is a token (RFC 9110): no spaces, no colon. */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name is letters, digits and !#$%&\'*+.^_`|~-, with no spaces or colon');
/** A line break would end the header and start another: a request's headers are the author's alone. */
const headerValue = template.regex(/^[^\r\n]*$/, 'a header value cannot hold a line break: write it on one line');
const headers = z.record(headerName, headerValue.describe('The header value, a template on one line, e.g. "Bearer {authtoken}".'));
const variable = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and underscores, not starting with a digit');
/** `{ "var": "path" }`: where in a JSON answer each variable's value is (field, dotted path or JSONPath). */
const saveMap = z.record(variable, z.string().min(1).describe('Where the value is in the JSON answer: a field name, a dotted path (user.name) or a JSONPath ($.items[0].id).'));
const secondsPositive = z.number().int().positive();

export const question = z
  .strictObject({
    ask: template.describe('What the bot asks, e.g. "What is your username?". A template: {placeholders} are filled in.'),
    field: z.string().min(1).describe('The name the answer is sent under to the auth service, e.g. "username".').meta({ examples: ['username', 'password', 'pin'] }),
    secret: z
      .boolean()
      .default(false)
      .describe('true for a password or PIN: the answer is sent to the auth service and then forgotten, never shown, logged or stored in clear (and not echoed in the console).'),
    say: template.optional().describe('What the phone speaks instead of "ask" (optional).'),
  })
  .meta({ id: 'authQuestion', title: 'Sign-in question', description: 'One question of an Auth Token definition; its answer is sent to the auth service under "field".' });

/** Keys every sign-in mode has. */
const signInCommon = {
  accounts: z
    .enum(['one', 'several'])
    .default('one')
    .describe('"several": a user may keep several accounts of this service (each sign-in adds one; an authToken step asks which to use when there are more than one). "one": a new sign-in replaces the old.'),
  validPath: z
    .string()
    .min(1)
    .optional()
    .describe('Where the answer says whether the sign-in is valid (Botize\'s "valid_credentials"): true or "true" is valid, anything else a refused try even with a token.')
    .meta({ examples: ['valid_credentials'] }),
  scope: z
    .enum(['user', 'conversation'])
    .optional()
    .describe('"user": the token is kept for this user on this channel; "conversation": for this conversation only. Default "user", and "conversation" on the phone, where caller ID can be forged; always "conversation" in web chat, whose user ids the embedding page makes.'),
};

/** Keys of the modes that sign in on a page of the service's own, reached by a link. */
const linkCommon = {
  ...signInCommon,
  linkText: template
    .regex(/\{link\}/, 'linkText must hold {link}, where the link goes')
    .default('Sign in here: {link}')
    .describe('What the bot says with the link; {link} is the link. On the phone the link goes by SMS.'),
  linkTtl: z.number().int().min(60).max(86_400).default(600).describe('Seconds the link (and the wait for it) lasts; after that the step takes its onFailure way.'),
  verifyCode: z
    .boolean()
    .default(true)
    .describe('true: the page shows a 6-digit code the user types in the chat to finish, so a forwarded link signs nobody into the wrong conversation (always on the phone). false: the chat goes on by itself.'),
  maxAttempts: secondsPositive.max(20).default(3).describe('Wrong codes before the authToken step takes its "onFailure" way.'),
  timeout: z.number().positive().max(120).default(10).describe('Seconds the provider or service has to answer each call.'),
};

export const oauthDefinition = z
  .strictObject({
    ...linkCommon,
    mode: z.literal('oauth').describe('"oauth": the user signs in on an OAuth 2.0 / OpenID Connect provider\'s page (authorization code with PKCE).'),
    issuer: template.min(1).optional().describe('The provider\'s issuer URL, for OpenID Connect discovery. Or give "authorizationUrl" and "tokenUrl".').meta({ examples: ['https://accounts.example.com'] }),
    authorizationUrl: template.min(1).optional().describe('The provider\'s authorization endpoint, without discovery.'),
    tokenUrl: template.min(1).optional().describe('The provider\'s token endpoint, without discovery.'),
    userinfoUrl: template.min(1).optional().describe('The provider\'s userinfo endpoint, without discovery: where "accountClaim" is read when there is no ID token.'),
    clientId: template.min(1).describe('The client id registered with the provider.'),
    clientSecret: template.min(1).optional().describe('The client secret, normally "{secret.NAME}"; none for a public client.').meta({ examples: ['{secret.OAUTH_CLIENT_SECRET}'] }),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope is printable characters without spaces or quotes'))
      .default([])
      .describe('Scopes asked for; with "issuer", "openid" when none are given.')
      .meta({ examples: [['openid', 'email', 'offline_access']] }),
    params: z.record(z.string().min(1), template).optional().describe('Extra authorization request parameters (prompt, audience, …); values are templates.'),
    accountClaim: z.string().min(1).default('sub').describe('The ID token or userinfo claim that names the account ({account}), e.g. "email".'),
    ttl: secondsPositive.default(3600).describe('Seconds the sign-in is kept; the access token lives for the provider\'s expires_in within it, then is refreshed once, silently.'),
  })
  .refine((d) => (d.issuer === undefined) !== (d.authorizationUrl === undefined && d.tokenUrl === undefined), {
    message: 'an oauth definition names either "issuer" (discovery) or both "authorizationUrl" and "tokenUrl"',
  })
  .refine((d) => d.issuer !== undefined || (d.authorizationUrl !== undefined && d.tokenUrl !== undefined), {
    message: 'give both "authorizationUrl" and "tokenUrl"',
  })
  .meta({ id: 'oauthDefinition', title: 'Auth Token definition: OAuth 2', description: 'Sign-in on an OAuth 2.0 / OpenID Connect provider\'s page, reached by a link the bot sends.' });

export const webDefinition = z
  .strictObject({
    ...linkCommon,
    mode: z.literal('web').describe('"web": Botize\'s web-based authentication (begin_authenticate_user / end_authenticate_user).'),
    beginUrl: template.min(1).describe('Gets {"callback_url", "user_id", "channel"} as JSON; answers the link ("linkPath") and data to keep ("tempPath").'),
    endUrl: template.min(1).describe('Gets {"saved_temp_data", "service_data"} as JSON at the callback; answers the verdict, the account and the token.'),
    headers: headers.optional().describe('Request headers for both calls; values are templates.'),
    linkPath: z.string().min(1).default('auth_url').describe('Where beginUrl\'s answer holds the link to send.'),
    tempPath: z.string().min(1).default('temp_data_to_save').describe('Where beginUrl\'s answer holds data to give back to endUrl.'),
    validPath: z.string().min(1).default('valid_credentials').describe('Where endUrl\'s answer says whether the sign-in is valid (true or "true").'),
    accountPath: z.string().min(1).default('user_id').describe('Where endUrl\'s answer names the account ({account}).'),
    tokenPath: z.string().min(1).default('auth_data_to_save').describe('Where endUrl\'s answer holds the token; an object is kept as its JSON.'),
    ttl: secondsPositive.describe('Seconds the token stays cached.').meta({ examples: [3600] }),
  })
  .meta({ id: 'webDefinition', title: 'Auth Token definition: web (Botize)', description: 'Sign-in on the service\'s own page through Botize\'s begin/end calls, reached by a link the bot sends.' });

/** The link modes' keys but `linkText`: an email sign-in's link goes by mail, never into the chat. */
const { linkText: _linkText, ...mailedLinkCommon } = linkCommon;

export const emailDefinition = z
  .strictObject({
    ...mailedLinkCommon,
    mode: z.literal('email').describe('"email": the user proves an email address by opening a one-time link mailed to it (as Bazaarvoice\'s hosted email authentication).'),
    ask: template.default('What is your email address?').describe('The question that asks for the email address. Not asked on the phone, where the step takes its onFailure way.'),
    sendUrl: template
      .min(1)
      .optional()
      .describe('The service mails the link itself: Parley POSTs {"email", "callback_url"} as JSON here, and the mailed link comes back to callback_url with the service\'s code in "codeParam". Without it, Parley mails the link ("mail", SMTP_URL).'),
    codeParam: z
      .string()
      .regex(/^[A-Za-z0-9_.~-]+$/, 'a query parameter name is letters, digits and _ . ~ -')
      .default('authtoken')
      .describe('With "sendUrl": the query parameter in which the service\'s mailed link carries its own one-time code ({code} in the confirm call).'),
    mail: z
      .strictObject({
        from: template.min(1).regex(/^[^\r\n]*$/, 'a sender is one line').describe('The sender, e.g. "ACME <no-reply@acme.example>". A template.'),
        subject: template.regex(/^[^\r\n]*$/, 'a subject is one line').default('Your sign-in link').describe('The subject. A template.'),
        text: template
          .regex(/\{link\}/, 'the mail text must hold {link}, where the link goes')
          .default('Open this link to sign in:\n\n{link}\n\nIt works once, for a short while. If you did not ask for it, ignore this mail.')
          .describe('The plain-text body; {link} is the link. A template.'),
      })
      .optional()
      .describe('The mail Parley sends through SMTP_URL when there is no "sendUrl".'),
    confirmUrl: template
      .min(1)
      .describe('Called when the user presses the button on the link\'s page; its templates see {code} and {email}. Its answer holds the user token ("tokenPath").')
      .meta({ examples: ['https://api.example.com/authenticateuser.json?ApiVersion=5.4&authtoken={code}&PassKey={secret.PASSKEY}'] }),
    method: z.enum(['POST', 'GET']).default('POST').describe('How "fields" reach confirmUrl: POST in the body (see "encoding"), GET as a query string.'),
    encoding: z.enum(['json', 'form']).default('json').describe('The POST body: "json" or "form".'),
    fields: z.record(z.string(), template).optional().describe('Fields sent to confirmUrl, each value a template ({code}, {email}, {secret.NAME}, …).'),
    headers: headers.optional().describe('Request headers for sendUrl and confirmUrl; values are templates.'),
    tokenPath: z.string().min(1).describe('Where the confirm answer holds the user token.').meta({ examples: ['Authentication.User'] }),
    errorPath: z
      .string()
      .min(1)
      .optional()
      .describe('Where the confirm answer lists errors: anything there but an empty list, null or "" is a refusal (Bazaarvoice\'s "Errors").')
      .meta({ examples: ['Errors'] }),
    ttl: secondsPositive.describe('Seconds the token stays cached.').meta({ examples: [3600] }),
  })
  .refine((d) => d.sendUrl === undefined || d.mail === undefined, {
    message: 'give "sendUrl" (the service mails the link) or "mail" (Parley mails it), not both',
    path: ['mail'],
  })
  .refine((d) => d.sendUrl !== undefined || d.mail !== undefined, {
    message: 'say who mails the link: "mail": { "from": … } (Parley, through SMTP_URL), or "sendUrl" (the service)',
    path: ['mail'],
  })
  .meta({ id: 'emailDefinition', title: 'Auth Token definition: email link', description: 'Sign-in by proving an email address: a one-time link is mailed, its page confirms it with the auth service.' });

export const credentialsDefinition = z
  .strictObject({
    ...signInCommon,
    mode: z.literal('credentials').default('credentials').describe('How the user signs in: "credentials" (the default), the questions below answered in the chat.'),
    method: z.enum(['POST', 'GET']).default('POST').describe('How the answers reach the auth service: POST sends them in the body (see "encoding"), GET as a query string.'),
    url: template
      .min(1)
      .describe('The auth service. An absolute http or https URL whose scheme, host and port are written out; placeholders only in the path or query.')
      .meta({ examples: ['https://auth.example.com/login'] }),
    questions: z.array(question).min(1).describe('The questions asked when no token is cached, in order; each answer is sent under its "field".'),
    fields: z
      .record(z.string(), template.describe('A template, e.g. "{user.phone}" or "{secret.CLIENT_ID}".'))
      .optional()
      .describe('Extra fields sent with the answers, each value a template.')
      .meta({ examples: [{ client_id: '{secret.CLIENT_ID}' }] }),
    headers: headers.optional().describe('Request headers for the auth service; values are templates.'),
    encoding: z.enum(['json', 'form']).default('json').describe('The POST body: "json" ({"username":"…","password":"…"}) or "form" (application/x-www-form-urlencoded).'),
    ttl: secondsPositive.describe('Seconds the token stays cached for this user (or conversation, see "scope"). The cache keeps the shorter of this and the answer\'s "expiresInPath".').meta({ examples: [3600] }),
    json: z
      .boolean()
      .default(true)
      .describe('true: the answer is JSON and the token is at "tokenPath"; false: the whole answer body, trimmed, is the token.'),
    tokenPath: z
      .string()
      .min(1)
      .optional()
      .describe('Where the token is in the JSON answer: a field name, a dotted path or a JSONPath. Needed when "json" is true.')
      .meta({ examples: ['access_token', 'data.auth.token', '$.data.token'] }),
    expiresInPath: z
      .string()
      .min(1)
      .optional()
      .describe('Where the answer says how many seconds the token lives; the cache keeps the shorter of that and "ttl".')
      .meta({ examples: ['expires_in'] }),
    accountPath: z
      .string()
      .min(1)
      .optional()
      .describe('Where the answer names the account (what {account} says). Without it, the first answer that is not secret.')
      .meta({ examples: ['user.name'] }),
    validation: z
      .enum(['text', 'number'])
      .default('text')
      .describe('"number": every answer must be digits, and on the phone it is typed on the keypad (ended by #); "text": anything.'),
    invalidMessage: template
      .optional()
      .describe('Said when the service turns the answers down (a 4xx, or no token in the answer), before the questions are asked again.')
      .meta({ examples: ["That username and password don't match. Let's try again."] }),
    maxAttempts: secondsPositive.max(20).default(3).describe('Tries before the authToken step takes its "onFailure" way.'),
    timeout: z.number().positive().max(120).default(10).describe('Seconds the auth service has to answer; a slower answer counts as a failed try.'),
  })
  .meta({
    id: 'credentialsDefinition',
    title: 'Auth Token definition: sign-in by questions',
    description: 'How a user signs in to one service by answering questions in the chat: the questions asked, where the answers are sent and where the token is in the answer.',
  });

export const authTokenDefinition = z.discriminatedUnion('mode', [credentialsDefinition, oauthDefinition, webDefinition, emailDefinition]).meta({
  id: 'authTokenDefinition',
  title: 'Auth Token definition',
  description: 'How a user signs in to one service ("mode": questions in the chat, an OAuth 2 provider\'s page, Botize\'s web flow, or a link mailed to an email address). Used by authToken steps and {authtoken}.',
});

const choiceOption = z
  .strictObject({
    label: template.min(1).describe('What the user sees: a numbered line on SMS, a button on WhatsApp and Messenger, "press N for …" on the phone.'),
    value: z.string().min(1).describe('What is saved into the question\'s variable when this option is chosen.'),
    goto: target.optional().describe(`Where to go when this option is chosen: ${targetHelp}. Without it, the next step.`),
  })
  .meta({ id: 'choiceOption', title: 'Choice option', description: 'One option of a "choice" question.' });

const base = { id: stepId.optional().describe('A name for this step, unique in its script, so that goto, onFailure, onError and choices can jump here.') };

export const messageStep = z
  .strictObject({
    ...base,
    type: z.literal('message').describe('"message": sends a message.'),
    text: template.describe('The message. A template: {name} is replaced by a variable, {account}, {user.id}, …; {{ and }} are literal braces.').meta({ examples: ['Hi {account}, your balance is {balance}.'] }),
    say: template.optional().describe('What the phone speaks instead of "text" (optional).'),
  })
  .meta({ id: 'messageStep', title: 'message step', description: 'Sends a message, then goes on to the next step.' });

export const inputType = z
  .enum(['text', 'number', 'digits', 'email', 'phone', 'yesno', 'choice'])
  .describe('What kind of answer is accepted: text, number (3, -2, 3,5), digits (spaces, dashes and a final # ignored), email, phone (7 to 15 digits, optional +), yesno (saved as true/false) or choice (one of "options").');

export const questionStep = z
  .strictObject({
    ...base,
    type: z.literal('question').describe('"question": asks, checks the answer and saves it.'),
    ask: template.describe('The question. A template.').meta({ examples: ['How many pizzas?'] }),
    say: template.optional().describe('What the phone speaks instead of "ask" (optional).'),
    save: variable.describe('The variable the answer is saved into; later text reads it as {name}.').meta({ examples: ['count'] }),
    input: inputType.default('text'),
    options: z.array(choiceOption).min(1).optional().describe('The options of a "choice" question, in order.'),
    pattern: z
      .string()
      .min(1)
      .optional()
      .describe('A JavaScript regular expression (no flags) the answer, as saved, must match; write case handling into it, e.g. [Yy]es.')
      .meta({ examples: ['^[0-9]{4}$'] }),
    numDigits: z.number().int().min(1).max(64).optional().describe('For digits: how many digits the answer has; on the phone the keypad input ends after that many.'),
    keypad: z.boolean().default(false).describe('On the phone, take the answer from the keypad only (no speech), ended by #.'),
    invalid: template.optional().describe('Said after a wrong answer, before asking again. Without it, a sentence that fits the input type.'),
    maxAttempts: z.number().int().min(1).max(20).default(3).describe('Wrong answers before the step takes its "onFailure" way.'),
    onFailure: target
      .optional()
      .describe(`Where to go after "maxAttempts" wrong answers: ${targetHelp}. Without it, the bot says it could not understand and the conversation ends.`),
  })
  .meta({ id: 'questionStep', title: 'question step', description: 'Asks the user, checks the answer against "input" (and "pattern"), saves it into a variable, and asks again after a wrong answer.' });

export const authTokenStep = z
  .strictObject({
    ...base,
    type: z.literal('authToken').describe('"authToken": makes sure the user has a valid token of a definition.'),
    token: z.string().min(1).describe('The Auth Token definition (a key of "authTokens") to sign in with.').meta({ examples: ['acme-login'] }),
    onFailure: target
      .optional()
      .describe(`Where to go when the user could not be signed in (after "maxAttempts" tries, or on web chat where sign-in by questions is not available): ${targetHelp}. Without it, a plain sentence and the conversation ends.`),
    save: saveMap.optional().describe('Variables to take from the auth service\'s JSON answer: { "variable": "path" }. A path that points at the token is skipped.').meta({ examples: [{ name: 'user.name' }] }),
    account: template
      .optional()
      .describe('With accounts "several": the account to use, by name (a template, e.g. "{wanted}"); signs in when it is not cached.')
      .meta({ examples: ['{wanted}'] }),
    addAccount: z.boolean().optional().describe('With accounts "several": always sign in to another account, even when some are cached.'),
  })
  .meta({
    id: 'authTokenStep',
    title: 'authToken step',
    description: 'Uses the user\'s cached token of a definition silently; without one, asks the definition\'s questions, calls the auth service and caches the token.',
  });

export const webServiceStep = z
  .strictObject({
    ...base,
    type: z.literal('webService').describe('"webService": calls an HTTP API and saves parts of the answer.'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET').describe('The HTTP method.'),
    url: template
      .min(1)
      .describe('The API. An absolute http or https URL whose scheme, host and port are written out; placeholders in the path and query are percent-encoded.')
      .meta({ examples: ['https://api.example.com/accounts/{account}/balance'] }),
    headers: headers.optional().describe('Request headers; values are templates.').meta({ examples: [{ Authorization: 'Bearer {authtoken}' }] }),
    body: z
      .json()
      .meta({ id: 'jsonValue', title: 'JSON value', description: 'Any JSON value: a string, number, true, false, null, a list or an object.' })
      .optional()
      .describe('A JSON body (sent with content-type application/json). Templates in its string values; a string that is exactly one placeholder keeps the value\'s own type.'),
    authToken: z.string().min(1).optional().describe('Which definition\'s token {authtoken} means here (a key of "authTokens"). Default: the last one acquired in this conversation.'),
    save: saveMap.optional().describe('Variables to take from the JSON answer: { "variable": "path" }.').meta({ examples: [{ balance: 'balance', currency: 'currency' }] }),
    timeout: z.number().positive().max(120).default(10).describe('Seconds the API has to answer before the step takes "onError".'),
    onError: target
      .optional()
      .describe(`Where to go when the call fails (no answer, a time-out, a status other than 2xx, an answer that cannot be saved): ${targetHelp}. Without it, a plain sentence and the conversation ends.`),
  })
  .meta({
    id: 'webServiceStep',
    title: 'webService step',
    description: 'Calls an HTTP API, with {authtoken} in the URL, a header or the body, and saves parts of its JSON answer. A 401 to a cached token signs the user in again and retries once.',
  });

export const conditionOp = z
  .enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains', 'matches', 'exists', 'empty'])
  .describe('eq, ne, lt, le, gt, ge (numbers compare as numbers), contains (text ignoring case, or an element of a list), matches (a regular expression), exists, empty (missing, null, "", [] or {}).');

const when = z
  .strictObject({
    var: z.string().min(1).describe('The variable to test (or user.channel, account, …).').meta({ examples: ['count'] }),
    op: conditionOp,
    value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().describe('What to compare with; not needed for exists and empty.'),
  })
  .meta({ id: 'condition', title: 'Condition', description: 'A test on one variable.' });

export const conditionStep = z
  .strictObject({
    ...base,
    type: z.literal('condition').describe('"condition": branches on variables.'),
    branches: z
      .array(
        z
          .strictObject({ when, goto: target.describe(`Where to go when "when" holds: ${targetHelp}.`) })
          .meta({ id: 'branch', title: 'Branch', description: 'A condition and where to go when it holds.' }),
      )
      .min(1)
      .describe('Tried in order; the first whose "when" holds is taken.'),
    else: target.optional().describe(`Where to go when no branch holds: ${targetHelp}. Without it, the next step.`),
  })
  .meta({ id: 'conditionStep', title: 'condition step', description: 'Goes to the first branch whose condition holds, else to "else" or the next step.' });

export const setStep = z
  .strictObject({
    ...base,
    type: z.literal('set').describe('"set": sets variables.'),
    vars: z
      .record(variable, template.describe('A template; exactly one placeholder ("{count}") keeps the value\'s type, anything else is text.'))
      .describe('The variables to set: { "name": "template" }.')
      .meta({ examples: [{ greeting: 'Hello {account}' }] }),
  })
  .meta({ id: 'setStep', title: 'set step', description: 'Sets variables, then goes on to the next step.' });

export const gotoStep = z
  .strictObject({
    ...base,
    type: z.literal('goto').describe('"goto": jumps.'),
    step: target.optional().describe(`Where to jump: ${targetHelp}. Give "step" or "script", not both.`),
    script: z.string().min(1).optional().describe('A script to start from its first step. Give "step" or "script", not both.'),
  })
  .refine((s) => (s.step === undefined) !== (s.script === undefined), { message: 'a goto names either "step" or "script", not both or neither' })
  .meta({ id: 'gotoStep', title: 'goto step', description: 'Jumps to a step or a script.' });

export const forgetTokenStep = z
  .strictObject({
    ...base,
    type: z.literal('forgetToken').describe('"forgetToken": drops a cached token (log out).'),
    token: z.string().min(1).describe('The Auth Token definition (a key of "authTokens") whose cached token is dropped.'),
    account: template.optional().describe('With accounts "several": forget this account only (a template, e.g. "{account}"); without it, every account of the definition.'),
  })
  .meta({ id: 'forgetTokenStep', title: 'forgetToken step', description: 'Drops the user\'s cached token of a definition: the next authToken step asks again.' });

export const endStep = z
  .strictObject({
    ...base,
    type: z.literal('end').describe('"end": ends the conversation.'),
    text: template.optional().describe('A last message (optional). A template.'),
    say: template.optional().describe('What the phone speaks instead of "text" (optional).'),
  })
  .meta({ id: 'endStep', title: 'end step', description: 'Ends the conversation (the phone hangs up); the next message starts over.' });

export const step = z
  .discriminatedUnion('type', [messageStep, questionStep, authTokenStep, webServiceStep, conditionStep, setStep, gotoStep, forgetTokenStep, endStep])
  .meta({ id: 'step', title: 'Step', description: 'One step of a script; "type" says which kind.' });

export const script = z
  .strictObject({ steps: z.array(step).min(1).describe('The steps, run in order.') })
  .meta({ id: 'script', title: 'Script', description: 'A sequence of steps. The bot\'s "start" script runs when a conversation begins; triggers and goto start others.' });

const languageTag = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'write a language tag, like "en", "es" or "es-ES"');
const phraseText = template.min(1);
/** One text for every language, or one per language tag (`{ "en": "…", "es": "…" }`; the loader checks the tags). */
const phraseOverride = z
  .union([phraseText, z.record(z.string(), phraseText)])
  .describe('One text for every language, or one per language tag ({ "en": "…", "es": "…" }). Only this phrase\'s own placeholders are filled.');
/** The bot's own words for Parley's built-in phrases (src/runtime/phrases.ts), by phrase name. */
const phrases = z
  .strictObject(Object.fromEntries(phraseNames.map((name) => [name, phraseOverride.optional()])) as Record<PhraseName, z.ZodOptional<typeof phraseOverride>>)
  .describe('The bot\'s own words for what Parley says by itself (a wrong answer, a refused sign-in, the phone\'s keypad menu), by phrase name.')
  .meta({ examples: [{ invalidChoice: 'Elija una de las opciones.', keypadChoice: { es: 'Para {label}, pulse {number}.' } }] });

export const settings = z
  .strictObject({
    sessionTimeout: secondsPositive.default(1800).describe('Seconds of silence after which a conversation is over; the next message starts over.'),
    language: z
      .string()
      .default('en-US')
      .describe('The language of the bot: the words Parley says by itself (English or Spanish built in) and the phone\'s <Say> language. A conversation may set its own with the variable "language".')
      .meta({ examples: ['en-US', 'en-GB', 'es-ES'] }),
    voice: z.string().default('alice').describe('The voice the phone speaks with (Twilio <Say> voice).').meta({ examples: ['alice', 'Polly.Joanna'] }),
    voices: z
      .record(languageTag, z.string().min(1))
      .optional()
      .describe('The phone\'s voice per language tag, for conversations in another language than the bot\'s; else "voice".')
      .meta({ examples: [{ es: 'Polly.Lucia' }] }),
    phrases: phrases.optional(),
    maxStepsPerTurn: z.number().int().min(10).max(10_000).default(200).describe('Steps one user message may run; a turn that runs more stops with a plain message.'),
    /** Auth and web service calls one user message may cause; a loop of calls is an author's bug, not work. */
    maxCallsPerTurn: z.number().int().min(1).max(100).default(10).describe('Auth and web service calls one user message may cause; a turn that makes more stops with a plain message.'),
  })
  .meta({ id: 'settings', title: 'Settings', description: 'Settings of the whole bot; every one has a default.' });

export const trigger = z
  .strictObject({
    keywords: z
      .array(z.string().regex(/\S/, 'a keyword needs something besides spaces: a blank one would fire on every empty message'))
      .min(1)
      .describe('Messages that start the script when a whole message equals one (ignoring case and spacing), even in the middle of a question.')
      .meta({ examples: [['logout', 'sign out']] }),
    script: z.string().min(1).describe('The script to start (a key of "scripts").'),
  })
  .meta({ id: 'trigger', title: 'Trigger', description: 'Keywords that start a script at any time (except while sign-in questions are answered).' });

/**
 * Under BOT_DIR, what a bot answers for on the routes without a /bots/:id prefix (an extension
 * to format 1, see the README): Twilio's `To` numbers, Meta's page ids and WhatsApp phone
 * number ids, the Bot Framework's app ids (an activity's recipient id). Each is claimed by one
 * bot of the folder; a bot serving alone answers for everything.
 */
export const answersFor = z
  .strictObject({
    numbers: z
      .array(z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'write a phone number in E.164 form, like +15550100000 (a WhatsApp sender too, without "whatsapp:")'))
      .optional()
      .describe('Twilio numbers (SMS, WhatsApp and voice) this bot answers, in E.164 form, e.g. "+15550100000".')
      .meta({ examples: [['+15550100000']] }),
    pages: z
      .array(z.string().regex(/^[0-9]{1,32}$/, "a Facebook page id is digits: the page's id in Meta's settings"))
      .optional()
      .describe('Facebook page ids (Messenger) this bot answers.'),
    whatsappNumberIds: z
      .array(z.string().regex(/^[0-9]{1,32}$/, "a WhatsApp phone number id is digits: the number's id in Meta's WhatsApp settings (not the number itself)"))
      .optional()
      .describe("Meta WhatsApp phone number ids this bot answers (the number's id, not the number)."),
    appIds: z
      .array(z.string().min(1).regex(/^\S+$/, 'an app id has no spaces'))
      .optional()
      .describe('Bot Framework app ids this bot answers (an activity\'s recipient id).'),
  })
  .meta({ id: 'answersFor', title: 'Answers for', description: 'Under BOT_DIR, the numbers, pages and app ids this bot answers on the routes without a /bots/:id prefix.' });

export const botFile = z
  .strictObject({
    $schema: z.string().optional().describe('Where editors find this schema: a path, or the URL a Parley server serves it at (/schema/bot.schema.json).'),
    format: z.literal(1).describe('The bot file format: 1.'),
    id: id.describe('The bot\'s id: lowercase letters, digits and dashes, starting with a letter or digit.').meta({ examples: ['acme-bank'] }),
    name: z.string().min(1).describe('The bot\'s name, for people.'),
    start: z.string().min(1).describe('The script a new conversation runs (a key of "scripts").').meta({ examples: ['main'] }),
    triggers: z.array(trigger).default([]).describe('Keywords that start a script at any time.'),
    settings: settings.prefault({}),
    authTokens: z
      .record(id, authTokenDefinition)
      .default({})
      .describe('Auth Token definitions, each under an id (lowercase letters, digits and dashes) that authToken steps name.'),
    scripts: z
      .record(id, script)
      .refine((s) => Object.keys(s).length > 0, { message: 'a bot needs at least one script' })
      .describe('The scripts, each under an id (lowercase letters, digits and dashes).'),
    answersFor: answersFor
      .optional()
      .describe('Under BOT_DIR (several bots per server): the numbers, pages and app ids this bot answers on the routes without a /bots/:id prefix. A bot serving alone answers for everything.'),
  })
  .meta({ title: 'Parley bot file', description: 'A Parley bot (format 1): its scripts, steps, triggers, settings and Auth Token definitions.' });

export type BotFile = z.output<typeof botFile>;
export type AuthTokenDefinition = z.output<typeof authTokenDefinition>;
export type CredentialsDefinition = z.output<typeof credentialsDefinition>;
export type OAuthDefinition = z.output<typeof oauthDefinition>;
export type WebDefinition = z.output<typeof webDefinition>;
export type EmailDefinition = z.output<typeof emailDefinition>;
/** The modes that sign in on a page reached by a link (the service's own, or Parley's for a mailed link). */
export type LinkDefinition = OAuthDefinition | WebDefinition | EmailDefinition;

export function isLinkMode(definition: AuthTokenDefinition): definition is LinkDefinition {
  return definition.mode !== 'credentials';
}
export type AuthQuestion = z.output<typeof question>;
export type Step = z.output<typeof step>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type InputType = z.output<typeof inputType>;
export type ConditionOp = z.output<typeof conditionOp>;
export type Script = z.output<typeof script>;
export type Settings = z.output<typeof settings>;
export type AnswersFor = z.output<typeof answersFor>;
