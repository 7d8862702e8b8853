// Property: whatever is posted to a route, the answer is 2xx or 4xx, never 5xx, and nothing is
// logged at error level; /healthz still answers 200 after each batch. Bodies are the shared
// fixtures with fields removed, retyped or filled with odd strings (control characters, lone
// surrogates), arbitrary JSON values, and arbitrary bytes under arbitrary content types. The
// signed routes get correct signatures, so the bodies reach the code behind the check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { standIns } from '../support/engine-on-redis.js';
import { botOf } from '../support/conversation.js';
import { errorLines, everyRoute, postTo, type FormFields, type Route } from '../server/every-route.js';
import { appsOnRedis, botsOnRedis, fixture } from '../server/support.js';
import { fuzzParameters, fuzzTimeoutMs } from './settings.js';

const startApp = appsOnRedis();
const startBots = botsOnRedis();
const startStandIn = standIns();

const bot = botOf({
  format: 1,
  id: 'fuzz',
  name: 'fuzz',
  start: 'main',
  scripts: {
    main: {
      steps: [
        { type: 'message', text: 'Hi {user.channel} user.' },
        {
          type: 'question',
          ask: 'Which one?',
          save: 'pick',
          input: 'choice',
          say: 'Which one?',
          options: [
            { label: 'Opening hours', value: 'MENU_OPENING_HOURS', goto: 'hours' },
            { label: 'Something else', value: 'OTHER', goto: 'other' },
          ],
        },
        { id: 'hours', type: 'end', text: 'We open at 9.' },
        { id: 'other', type: 'question', ask: 'Say it.', save: 'said', say: 'Say it.' },
        { type: 'end', text: 'You said: {said}' },
      ],
    },
  },
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Characters that break naive handling: controls, lone surrogates, separators of forms and XML. */
const oddCharacter = fc.oneof(
  fc.constantFrom('\u0000', '\u0007', '\u001b', '\r', '\n', '\t', '\u2028', '\ufeff', '\ufffd', '&', '<', ']]>', '%', '+', '=', '"', '\\', '{{', '}'),
  fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
);
const oddString = fc.string({
  unit: fc.oneof({ arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 3 }, { arbitrary: oddCharacter, weight: 2 }),
  maxLength: 40,
});
/** Values a field might plausibly be mistaken for: other fields' values, numbers as text, empties. */
const plausibleString = fc.constantFrom('', ' ', '0', '-1', '1e999', 'message', 'invoke', 'conversationUpdate', 'event', 'expectReplies', 'facebook', 'emulator', 'page', 'whatsapp_business_account', 'text', 'interactive', 'button', 'SM' + '0'.repeat(32), 'CA' + 'f'.repeat(32), '+15550001234', 'null', '[object Object]');

/** A field replaced: an odd or plausible string, any JSON value, or a value of another type. */
const replacement: fc.Arbitrary<Json> = fc.oneof(
  oddString,
  plausibleString,
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(7, -1, 0, 1e308, 3.5, true, false, null, [], {}, { a: 1 }, ['x'], [{ id: 'x' }]),
);

type Change = { kind: 'remove'; at: number } | { kind: 'set'; at: number; value: Json } | { kind: 'add'; at: number; name: string; value: Json };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.nat().map((at) => ({ kind: 'remove' as const, at })),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: replacement }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), name: fc.oneof(oddString, fc.constantFrom('__proto__', 'constructor', 'toString', 'id', 'type')), value: replacement }),
);

/** Every place in a JSON value, as a path of keys. */
function places(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...at, i], ...places(item, [...at, i])]);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => [[...at, key], ...places(item, [...at, key])]);
  return [];
}

function applyChanges(base: Json, changes: Change[]): Json {
  const value = structuredClone(base);
  for (const one of changes) {
    const all = places(value);
    const path = all.length === 0 ? [] : all[one.at % all.length]!;
    const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, value);
    const key = path[path.length - 1];
    if (typeof parent !== 'object' || parent === null || key === undefined) continue;
    if (one.kind === 'add') {
      const target = (parent as Record<string | number, Json>)[key];
      // Defined as an own property: `__proto__` as a key, as JSON.parse would make it.
      if (typeof target === 'object' && target !== null && !Array.isArray(target)) Object.defineProperty(target, one.name, { value: one.value, enumerable: true, writable: true, configurable: true });
    } else if (one.kind === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string, Json>)[key];
    } else (parent as Record<string | number, Json>)[key] = one.value;
  }
  return value;
}

/** What a property run posts. */
interface Posted {
  what: string;
  raw: Buffer;
  type: string | undefined;
  fields?: FormFields;
  query?: string;
}

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-16',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/*+json',
      '*/*',
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  ),
  { nil: undefined },
);

const bytes: fc.Arbitrary<Posted> = fc.record({ data: fc.uint8Array({ maxLength: 300 }), type: contentType }).map(({ data, type }) => {
  const raw = Buffer.from(data);
  // Signed as Twilio would sign what the form parser makes of it, when it is close enough.
  const fields = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  return { what: 'bytes', raw, type, fields };
});

const anyJson: fc.Arbitrary<Posted> = fc.record({ value: fc.jsonValue(), type: fc.oneof(fc.constant('application/json'), contentType) }).map(({ value, type }) => ({
  what: 'a JSON value',
  raw: Buffer.from(JSON.stringify(value) ?? 'null'),
  type,
}));

let unique = 0;
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

/** A JSON fixture, changed; `fresh` gives it ids of its own first, so runs are not all retries. */
function changedJson(names: string[], fresh: (body: Record<string, Json>) => void): fc.Arbitrary<Posted> {
  const type = fc.oneof({ arbitrary: fc.constant('application/json'), weight: 9 }, { arbitrary: contentType, weight: 1 });
  return fc.record({ name: fc.constantFrom(...names), changes: fc.array(change, { maxLength: 4 }), type }).map(({ name, changes, type }) => {
    const base = fixture<Record<string, Json>>(name);
    fresh(base);
    return { what: `${name} changed`, raw: Buffer.from(JSON.stringify(applyChanges(base, changes))), type };
  });
}

type FormChange = { kind: 'remove'; at: number } | { kind: 'set'; at: number; value: string } | { kind: 'repeat'; at: number; value: string } | { kind: 'add'; name: string; value: string };

const formChange: fc.Arbitrary<FormChange> = fc.oneof(
  fc.nat().map((at) => ({ kind: 'remove' as const, at })),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(oddString, plausibleString) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), value: fc.oneof(oddString, plausibleString) }),
  fc.record({ kind: fc.constant('add' as const), name: fc.oneof(oddString, fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'Digits', 'SpeechResult', 'ButtonPayload', 'a[b]')), value: oddString }),
);

/** A Twilio form from the fixtures, changed, with the URL query for voice; signed over what the server parses. */
function changedForm(names: string[], query: fc.Arbitrary<string>): fc.Arbitrary<Posted> {
  return fc.record({ name: fc.constantFrom(...names), changes: fc.array(formChange, { maxLength: 5 }), query }).map(({ name, changes, query }) => {
    // A Map: a field may be named `__proto__`.
    const fields = new Map<string, string[]>(Object.entries(fixture(name)).map(([key, value]) => [key, [value]]));
    const sid = next().padStart(32, '0').slice(-32).replace(/[^0-9a-f]/g, '0');
    if (fields.has('MessageSid')) fields.set('MessageSid', [`SM${sid}`]);
    if (fields.has('CallSid')) fields.set('CallSid', [`CA${sid}`]);
    for (const one of changes) {
      if (one.kind === 'add') {
        fields.set(one.name, [...(fields.get(one.name) ?? []), one.value]);
        continue;
      }
      const names = [...fields.keys()];
      const at = names[one.at % Math.max(names.length, 1)];
      if (at === undefined) continue;
      if (one.kind === 'remove') fields.delete(at);
      else if (one.kind === 'set') fields.set(at, [one.value]);
      else fields.set(at, [...(fields.get(at) ?? []), one.value]);
    }
    const form = new URLSearchParams();
    for (const [key, values] of fields) for (const value of values) form.append(key, value);
    // Signed over what arrives: UTF-8 has no lone surrogates, they come as U+FFFD.
    const signed: FormFields = Object.fromEntries(
      [...fields].filter(([key]) => key !== '').map(([key, values]) => [asUtf8(key), values.length === 1 ? asUtf8(values[0]!) : values.map(asUtf8)]),
    );
    return { what: `${name} changed`, raw: Buffer.from(form.toString()), type: 'application/x-www-form-urlencoded', fields: signed, query };
  });
}

/** A string as it arrives through UTF-8: lone surrogates become U+FFFD. */
function asUtf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

const voiceQuery = fc
  .record(
    {
      n: fc.oneof(fc.nat({ max: 5 }).map(String), oddString, plausibleString),
      wait: fc.oneof(fc.nat({ max: 50 }).map(String), oddString),
      w: fc.oneof(fc.nat({ max: 50 }).map(String), oddString),
      timeout: fc.constantFrom('1', '2', 'x'),
    },
    { requiredKeys: [] },
  )
  .map((query) => {
    const text = new URLSearchParams(query as Record<string, string>).toString();
    return text === '' ? '' : `?${text}`;
  });

function bodiesFor(route: Route, serviceUrl: string): fc.Arbitrary<Posted> {
  const generic = [
    { arbitrary: anyJson, weight: 1 },
    { arbitrary: bytes, weight: 1 },
  ];
  switch (route.path) {
    case '/twilio/sms':
      return fc.oneof({ arbitrary: changedForm(['twilio-sms.form.json', 'twilio-whatsapp.form.json', 'twilio-whatsapp-button.form.json'], fc.constant('')), weight: 6 }, ...generic);
    case '/twilio/voice':
      return fc.oneof(
        { arbitrary: changedForm(['twilio-voice-incoming.form.json', 'twilio-voice-gather.form.json', 'twilio-voice-gather-speech.form.json'], voiceQuery), weight: 6 },
        ...generic,
      );
    case '/api/messages': {
      const fresh = (body: Record<string, Json>) => {
        const id = next();
        body.serviceUrl = serviceUrl;
        body.id = `fuzz-${id}`;
        body.conversation = { id: `fuzz-conversation-${id}` };
        if (id.length % 3 === 0) body.deliveryMode = 'expectReplies';
      };
      return fc.oneof({ arbitrary: changedJson(['botframework-webchat-message.json', 'botframework-facebook-message.json'], fresh), weight: 6 }, ...generic);
    }
    case '/meta/webhook': {
      const fresh = (body: Record<string, Json>) => {
        const text = JSON.stringify(body).replace(/"(wamid\.[^"]*|m_[^"]*)"/g, `"$1-${next()}"`);
        Object.assign(body, JSON.parse(text) as Record<string, Json>);
      };
      const names = ['meta-whatsapp-text.json', 'meta-whatsapp-interactive-reply.json', 'meta-whatsapp-status.json', 'meta-messenger-text.json', 'meta-messenger-postback.json', 'meta-messenger-quick-reply.json'];
      return fc.oneof({ arbitrary: changedJson(names, fresh), weight: 6 }, ...generic);
    }
    default:
      return fc.oneof(...generic);
  }
}

/** A failing case printed readably: the body as text, not a Buffer's bytes. */
function shown(posted: Posted): Posted {
  return Object.assign(posted, {
    [fc.toStringMethod]: () => `${posted.what} as ${posted.type ?? 'no content type'}${posted.query ?? ''}: ${JSON.stringify(posted.raw.toString('utf8'))}`,
  });
}

const runsPerRoute = 60;
const routeNames = [
  'Twilio SMS',
  'Twilio voice',
  'Bot Framework (Emulator)',
  'Bot Framework (credentials)',
  'Meta',
  'health',
  'metrics',
  'a mailed sign-in link',
  'an unknown path',
  'Twilio SMS (several bots)',
  'Twilio voice (several bots)',
  'Bot Framework (several bots)',
  'Meta (several bots)',
];

describe('generated webhook bodies', () => {
  it.each(routeNames)(
    '%s: answers 2xx or 4xx, never 5xx, logs no error, and /healthz stays up',
    async (name) => {
      const connector = await startStandIn();
      const { routes, apps } = await everyRoute(startApp, bot, connector, startBots);
      const route = routes.find((candidate) => candidate.name === name)!;
      await fc.assert(
        fc.asyncProperty(bodiesFor(route, `${connector.url}/`).map(shown), async (posted) => {
          const before = route.app.logText().length;
          const { status } = await postTo(route, posted.raw, posted.type, posted.fields, posted.query);
          expect([posted.what, status < 500]).toEqual([posted.what, true]);
          const logged = route.app.logText().slice(before).split('\n');
          expect(logged.filter((line) => /"level":(5|6)\d/.test(line))).toEqual([]);
          // The connector answers every send: a reply that did not get there was refused by us.
          expect(logged.filter((line) => line.includes('could not be delivered'))).toEqual([]);
        }),
        fuzzParameters(runsPerRoute),
      );
      // Meta's turns, and replies sent after an answer, finish in the background.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(apps.flatMap(errorLines)).toEqual([]);
      for (const app of apps) expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    },
    fuzzTimeoutMs(20_000),
  );
});
