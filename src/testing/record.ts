// `parley chat BOT --record FILE`: the conversation just had, written as a test file. The
// services' real answers become its stand-ins (the recording wraps the engine's outbound seam),
// and no secret is written: secret answers, tokens, `{secret.*}` values and whatever else the
// engine says to mask become placeholders. A placeholder works as it is (the recording passes
// as recorded); an author may put other values in its place.
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { previewLines } from '../../channels/preview.js';
import type { Bot } from '../bot/bot.js';
import type { AuthTokenDefinition } from '../bot/schema.js';
import { readSafely } from '../effects/saved-vars.js';
import type { HttpRequest, HttpResult } from '../http/client.js';
import type { Outbound, OutboundPurpose } from '../http/outbound.js';
import type { JsonValue } from '../json.js';
import { keyedDigits } from '../runtime/answers.js';
import type { ChannelId, Prompt, TurnOutput } from '../runtime/turn.js';

export interface RecordingOptions {
  bot: Bot;
  channel: ChannelId;
  /** The user id the conversation ran as. */
  user: string;
  /** The `{secret.*}` values (name → value), to name them in the recording's `secrets`. */
  secrets: Readonly<Record<string, string>>;
  /** When the conversation started (epoch ms): the recording's `now`. */
  now: number;
}

interface Call {
  request: HttpRequest;
  purpose: OutboundPurpose;
  result: HttpResult;
}

type Entry = { user: string; placeholder?: true } | { keys: string; placeholder?: true } | { bot: string } | { call: Record<string, JsonValue> } | { ended: true };

/** Keys whose string values in a service's answer are credentials, whatever the bot reads. */
const credentialKey = /token$|secret|password|passwd|apikey|api_key/i;

export class Recording {
  readonly #options: RecordingOptions;
  readonly #entries: Entry[] = [];
  readonly #calls: Call[] = [];
  #turnCalls: Call[] = [];
  #prompt: Prompt | undefined;
  /** Secret value → its placeholder. */
  readonly #placeholders = new Map<string, string>();
  readonly #usedSecrets = new Set<string>();
  #secretAnswers = 0;
  /**
   * Values to mask that have no name yet. A secret answer is known only once its turn is over,
   * after the calls it caused: these are named when the file is written, if nothing named them.
   */
  readonly #unnamed = new Set<string>();

  constructor(options: RecordingOptions) {
    this.#options = options;
  }

  /** Wraps the engine's outbound seam: every call goes on, and is kept with its answer. */
  outbound(inner: Outbound): Outbound {
    return async (request, purpose) => {
      const result = await inner(request, purpose);
      const call = { request, purpose, result };
      this.#learn(call);
      this.#calls.push(call);
      this.#turnCalls.push(call);
      return result;
    };
  }

  /** One turn as the user had it: what they sent (none when a call rings) and what came back. */
  turn(text: string | undefined, output: TurnOutput): void {
    if (text !== undefined) this.#entries.push(this.#userEntry(text));
    for (const call of this.#turnCalls) this.#entries.push({ call: callTurn(call.request) });
    this.#turnCalls = [];
    for (const line of previewLines({ ...output, ended: false }, this.#options.channel)) this.#entries.push({ bot: line });
    if (output.ended) this.#entries.push({ ended: true });
    this.#prompt = output.prompt;
  }

  /** True once anything was said: a recording with no turns is no test. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /** The test file, as text. */
  testFile(file: string): string {
    let masked = 0;
    for (const value of this.#unnamed) if (!this.#placeholders.has(value)) this.#placeholders.set(value, `masked-${++masked}`);
    const { bot, channel, user, now } = this.#options;
    const botPath = relative(dirname(resolve(file)), resolve(bot.source)).split(sep).join('/');
    const secrets: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#options.secrets)) if (this.#usedSecrets.has(value)) secrets[name] = this.#placeholders.get(value)!;
    const scrub = this.#scrubber();
    const services = mergeRepeats(this.#calls.map((call) => ({ method: call.request.method, url: scrub(call.request.url), reply: scrubJson(replyOf(call.result), scrub) })));
    const turns = this.#entries.map((entry): JsonValue => {
      if ('placeholder' in entry) {
        const { placeholder: _placeholder, ...rest } = entry;
        return rest;
      }
      return scrubJson(entry as JsonValue, scrub);
    });
    const recorded = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
    const test: Record<string, JsonValue> = {
      bot: botPath.startsWith('.') ? botPath : `./${botPath}`,
      name: `recorded with parley chat, ${recorded}`,
      channel,
      user,
      now: recorded,
      ...(Object.keys(secrets).length === 0 ? {} : { secrets }),
      services,
      turns,
    };
    return layout(test);
  }

  async save(file: string): Promise<void> {
    await writeFile(file, this.testFile(file), 'utf8');
  }

  /** The placeholders written in place of secrets (after `testFile` or `save`). */
  placeholders(): string[] {
    return [...new Set(this.#placeholders.values())];
  }

  #userEntry(text: string): Entry {
    const prompt = this.#prompt;
    const keyed = this.#options.channel === 'phone' && /^[0-9*#]+$/.test(text.trim());
    if (prompt?.secret !== true) return keyed ? { keys: text.trim() } : { user: text };
    // A secret answer is never written: a placeholder the bot reads the same way stands in.
    const digits = prompt.input === 'digits';
    const value = digits ? keyedDigits(text) : text.trim();
    this.#secretAnswers += 1;
    const placeholder = digits ? '0000' : `secret-answer-${this.#secretAnswers}`;
    if (value !== undefined && value !== '') this.#placeholders.set(value, placeholder);
    return this.#options.channel === 'phone' && /^[0-9*#]+$/.test(placeholder) ? { keys: placeholder, placeholder: true } : { user: placeholder, placeholder: true };
  }

  /** Learns the secrets a call carries or brings: the values to mask, and the token it got. */
  #learn({ purpose, result }: Call): void {
    for (const value of purpose.masked) {
      if (value === '') continue;
      const secretName = Object.entries(this.#options.secrets).find(([, v]) => v === value)?.[0];
      if (secretName !== undefined) {
        this.#usedSecrets.add(value);
        if (!this.#placeholders.has(value)) this.#placeholders.set(value, `secret-${secretName}`);
      } else this.#unnamed.add(value);
    }
    if (!result.ok) return;
    let data: unknown;
    try {
      data = JSON.parse(result.body);
    } catch {
      data = undefined;
    }
    if (purpose.kind === 'sign-in' && purpose.definition !== undefined) {
      const found = tokenIn(this.#options.bot.authTokens[purpose.definition], data, result.body);
      const token = typeof found === 'number' ? String(found) : typeof found === 'string' ? found.trim() : '';
      if (token !== '' && !this.#placeholders.has(token)) this.#placeholders.set(token, `token-${purpose.definition}`);
    }
    for (const value of credentialsIn(data)) this.#unnamed.add(value);
  }

  /** Replaces every secret, in every form a request or an answer writes it, in one pass. */
  #scrubber(): (text: string) => string {
    const forms = new Map<string, string>();
    for (const [value, placeholder] of this.#placeholders) {
      forms.set(value, placeholder);
      forms.set(JSON.stringify(value).slice(1, -1), placeholder);
      forms.set(encodeURIComponent(value), placeholder);
      forms.set(new URLSearchParams({ v: value }).toString().slice(2), placeholder);
    }
    const keys = [...forms.keys()].filter((k) => k !== '').sort((a, b) => b.length - a.length);
    if (keys.length === 0) return (text) => text;
    const pattern = new RegExp(keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return (text) => text.replace(pattern, (found) => forms.get(found)!);
  }
}

export function startRecording(options: RecordingOptions): Recording {
  return new Recording(options);
}

/**
 * The token a sign-in answer holds, where the definition reads it. An OAuth provider's answer
 * has no path of the author's: its tokens are found by their keys (`credentialsIn`).
 */
function tokenIn(definition: AuthTokenDefinition | undefined, data: unknown, body: string): unknown {
  switch (definition?.mode) {
    case 'credentials':
      return definition.json ? (definition.tokenPath === undefined ? undefined : readSafely(data, definition.tokenPath)) : body.trim();
    case 'web':
      return readSafely(data, definition.tokenPath);
    default:
      return undefined;
  }
}

/** A `call` turn: where it went, and its body as the service read it. */
function callTurn(request: HttpRequest): Record<string, JsonValue> {
  const call: Record<string, JsonValue> = { method: request.method, url: request.url };
  const body = request.body ?? '';
  const type = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (body !== '' && type.includes('json')) {
    try {
      call.json = JSON.parse(body) as JsonValue;
    } catch {
      call.text = body;
    }
  } else if (body !== '' && type.includes('x-www-form-urlencoded')) {
    call.form = Object.fromEntries(new URLSearchParams(body));
  }
  return call;
}

function replyOf(result: HttpResult): JsonValue {
  // Every way of not answering reads to the bot as a service that is down.
  if (!result.ok) return { timeout: true };
  const reply: Record<string, JsonValue> = { status: result.status };
  if (result.body === '') return reply;
  try {
    reply.json = JSON.parse(result.body) as JsonValue;
  } catch {
    reply.text = result.body;
  }
  return reply;
}

/** The same call answered the same way, one after the other: one stand-in used that many times. */
function mergeRepeats(services: Array<{ method: string; url: string; reply: JsonValue }>): JsonValue[] {
  const merged: Array<{ method: string; url: string; reply: JsonValue; times: number }> = [];
  for (const service of services) {
    const last = merged.at(-1);
    if (last !== undefined && last.method === service.method && last.url === service.url && JSON.stringify(last.reply) === JSON.stringify(service.reply)) last.times += 1;
    else merged.push({ ...service, times: 1 });
  }
  return merged;
}

function credentialsIn(data: unknown, found: string[] = [], depth = 0): string[] {
  if (depth > 32 || typeof data !== 'object' || data === null) return found;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' && value.length >= 4 && credentialKey.test(key)) found.push(value);
    else credentialsIn(value, found, depth + 1);
  }
  return found;
}

function scrubJson(value: JsonValue, scrub: (text: string) => string): JsonValue {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, scrub));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubJson(v, scrub)]));
  return value;
}

/** Two-space JSON, with each stand-in and each turn on a line of its own, as authors write them. */
function layout(test: Record<string, JsonValue>): string {
  const lines = ['{'];
  const entries = Object.entries(test);
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value)) {
      lines.push(`  ${JSON.stringify(key)}: [`);
      value.forEach((item, j) => lines.push(`    ${JSON.stringify(item)}${j < value.length - 1 ? ',' : ''}`));
      lines.push(`  ]${comma}`);
    } else lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
