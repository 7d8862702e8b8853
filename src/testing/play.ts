// Plays one conversation test through the engine production runs (createEngine, runTurn: the
// same interpreter and driver), on the memory store, at the file's time, with its secrets, and
// with its stand-ins as the only way out. The first difference ends the test.
import { previewLines } from '../../channels/preview.js';
import type { Bot } from '../bot/bot.js';
import type { JsonPath } from '../bot/bot-source.js';
import { createEngine } from '../create-engine.js';
import { saveToken } from '../effects/token-cache.js';
import type { Engine } from '../runtime/engine.js';
import type { Log } from '../runtime/log.js';
import { resumeConversation } from '../runtime/resume.js';
import { conversationKey, runTurn } from '../runtime/run-turn.js';
import { newSession, type Session, type Vars } from '../runtime/session.js';
import type { StepObserver } from '../runtime/step-observer.js';
import type { Authority, ChannelId, ReplyAddress, TurnOutput, User, UserInput } from '../runtime/turn.js';
import { createMemoryStore } from '../stores/memory-store.js';
import { firstDifference, shown } from './json-subset.js';
import type { LoadedTest } from './load-test-file.js';
import { bodyDifference, sameAddress, standInsFor, type SeenCall } from './stand-ins.js';
import type { Turn } from './test-file.js';

export interface TestFailure {
  file: string;
  line: number;
  column: number;
  /** What went wrong, in a sentence. */
  message: string;
  expected?: string;
  got?: string;
  /** What the engine logged as an error meanwhile (a bug, a broken step), if anything. */
  logged?: string[];
}

export interface TestResult {
  file: string;
  name: string;
  bot: string;
  ok: boolean;
  ms: number;
  failure?: TestFailure;
}

// The platform that vouches for users of each channel, as in production.
const authorityOf: Record<ChannelId, Authority> = { sms: 'twilio', whatsapp: 'twilio', phone: 'twilio', messenger: 'meta', web: 'botframework' };

/** Where a test's user is reached unprompted: the player itself (see `senders`). */
const testAddress: ReplyAddress = { kind: 'parley-test' };

/** Raised inside a test to stop at its first difference; never leaves `playTest`. */
class Mismatch extends Error {
  constructor(
    readonly at: JsonPath,
    message: string,
    readonly expected?: string,
    readonly got?: string,
  ) {
    super(message);
  }
}

export async function playTest(test: LoadedTest, bot: Bot, observe?: StepObserver): Promise<TestResult> {
  const started = performance.now();
  const result = (failure?: TestFailure): TestResult => ({
    file: test.file,
    name: test.name,
    bot: test.bot,
    ok: failure === undefined,
    ms: performance.now() - started,
    ...(failure === undefined ? {} : { failure }),
  });
  const clock = () => test.now;
  const store = createMemoryStore({ now: clock });
  const standIns = standInsFor(test.services);
  const logged: string[] = [];
  let vars: Vars = {};
  const engine = createEngine({
    bot,
    store,
    secrets: test.secrets,
    outbound: standIns.outbound,
    // Every call is answered by a stand-in, never the network: an http:// OAuth provider (the
    // example bots' demo one on loopback) is one more stand-in, as ALLOW_PRIVATE_NETWORKS lets it be.
    allowPrivateNetworks: true,
    clock,
    log: errorsInto(logged),
    observe: (at, step, event, next, session, user) => {
      // The draft's vars are replaced, never changed in place: keeping the object is enough.
      vars = session.vars;
      observe?.(at, step, event, next, session, user);
    },
  });

  const channel = test.channel;
  const phoneLike = channel === 'sms' || channel === 'whatsapp' || channel === 'phone';
  const userId = test.user ?? (phoneLike ? '+15550100001' : 'test-user');
  const via = authorityOf[channel];
  const user: User = phoneLike ? { id: userId, channel, via, phone: userId } : { id: userId, channel, via };
  // On the phone each call is a conversation of its own; elsewhere one thread goes on.
  let call = 1;
  const conversation = () => (channel === 'phone' ? `phone:test-call-${call}` : `${channel}:${userId}`);

  try {
    await seedTokens(test, engine, user, conversationKey({ user, conversation: conversation() }));

    /** Bot messages no `bot` turn has matched yet, in order. */
    const pending: string[] = [];
    let last: TurnOutput | undefined;
    let callOpen = false;
    const claimed = new Set<SeenCall>();

    const heard = (output: TurnOutput) => {
      last = output;
      // The hang-up is the `ended` turn's business, not a message.
      pending.push(...previewLines({ ...output, ended: false }, channel));
      if (channel === 'phone') callOpen = !output.ended;
    };
    // What a resumed conversation says (after a link sign-in) reaches the test as a channel's
    // unprompted sender would carry it to the user.
    engine.senders.set(testAddress.kind, async (_address, output) => heard(output));
    const answeredAll = (at: JsonPath, before: number) => {
      const unanswered = standIns.calls.slice(before).find((c) => c.standIn === undefined);
      if (unanswered !== undefined) {
        throw new Mismatch(at, `no stand-in answers ${unanswered.method} ${unanswered.shownUrl}: add one to "services" (the call failed as a network error would)`);
      }
    };

    const send = async (at: JsonPath, input: UserInput | undefined) => {
      const before = standIns.calls.length;
      const request = { user, conversation: conversation(), address: testAddress };
      heard(await runTurn(engine, input === undefined ? request : { ...request, input }));
      answeredAll(at, before);
    };

    /** The user signed in on the link's page: the token is cached and the conversation goes on by itself. */
    const signedInByLink = async (at: JsonPath, signIn: { token: string; account?: string | undefined }) => {
      if (pending.length > 0) {
        throw new Mismatch(at, 'the bot said more before this turn than the "bot" turns expect: add a "bot" turn for it', 'no more bot messages', quote(pending[0]!));
      }
      const key = conversationKey({ user, conversation: conversation() });
      const stored = await store.sessions.get(key);
      const session = stored === undefined ? undefined : (JSON.parse(stored.value) as Session);
      const wait = session?.wait;
      if (session === undefined || wait?.kind !== 'link') {
        throw new Mismatch([...at, 'signIn'], 'the conversation is not waiting for a sign-in by link', 'a link sign-in (oauth or web) in progress', wait === undefined ? 'no sign-in in progress' : `a wait of kind "${wait.kind}"`);
      }
      const definition = bot.authTokens[wait.token]!;
      const account = signIn.account ?? wait.token;
      await saveToken(engine, { bot, user, conversation: key, session }, wait.token, definition, { token: signIn.token, account }, definition.ttl);
      const before = standIns.calls.length;
      const resumed = await resumeConversation(engine, { user, conversation: conversation() }, { kind: 'result', result: { type: 'link.done', token: wait.token, account } });
      if (!resumed.ran) throw new Mismatch(at, `the conversation did not go on after the sign-in (${resumed.reason})`);
      answeredAll(at, before);
    };

    /** The service refused the sign-in on the link's page: the link is spent; the chat hears nothing until the user writes. */
    const refusedByLink = async (at: JsonPath) => {
      const key = conversationKey({ user, conversation: conversation() });
      const stored = await store.sessions.get(key);
      const wait = stored === undefined ? undefined : (JSON.parse(stored.value) as Session).wait;
      if (wait?.kind !== 'link') {
        throw new Mismatch([...at, 'signIn'], 'the conversation is not waiting for a sign-in by link', 'a link sign-in (oauth or web) in progress', wait === undefined ? 'no sign-in in progress' : `a wait of kind "${wait.kind}"`);
      }
      if (!(await engine.links.refuse({ definition: wait.token, user, conversation: key }))) throw new Mismatch([...at, 'signIn'], 'no sign-in link of this conversation is waiting');
    };

    if (channel === 'phone') await send(test.path, undefined);

    for (const [i, turn] of test.turns.entries()) {
      const at: JsonPath = [...test.path, 'turns', i];
      if ('user' in turn || 'keys' in turn) {
        if (pending.length > 0) {
          throw new Mismatch(at, 'the bot said more before this turn than the "bot" turns expect: add a "bot" turn for it', 'no more bot messages', quote(pending[0]!));
        }
        if (channel === 'phone' && !callOpen) {
          call += 1;
          await send(at, undefined);
        }
        const input: UserInput = 'keys' in turn ? { text: turn.keys, keypad: true } : { text: turn.user, keypad: false };
        await send(at, input);
      } else if ('bot' in turn) {
        const message = pending.shift();
        const wanted = describeExpected(turn.bot);
        if (message === undefined) throw new Mismatch(at, 'the bot said nothing more', wanted, 'nothing');
        if (!saysWhat(turn.bot, message)) throw new Mismatch(at, 'the bot said something else', wanted, quote(message));
      } else if ('vars' in turn) {
        for (const [name, value] of Object.entries(turn.vars)) {
          const difference = firstDifference(value, Object.hasOwn(vars, name) ? vars[name] : undefined);
          if (difference !== undefined) {
            const where = difference.at === '' ? name : `${name}.${difference.at}`;
            throw new Mismatch([...at, 'vars', name], `the variable ${where} is not as expected`, shown(difference.expected), shown(difference.got));
          }
        }
      } else if ('ended' in turn) {
        const ended = last?.ended ?? false;
        if (ended !== turn.ended) {
          throw new Mismatch(at, turn.ended ? 'the conversation goes on' : 'the conversation ended', turn.ended ? 'the end of the conversation' : 'the conversation to go on', ended ? 'its end' : 'a question, or nothing yet');
        }
      } else if ('call' in turn) {
        checkCall(turn.call, at, standIns.calls, claimed);
      } else if (turn.signIn === 'refused') {
        await refusedByLink(at);
      } else {
        await signedInByLink(at, turn.signIn);
      }
    }
    if (pending.length > 0) {
      throw new Mismatch([...test.path, 'turns', test.turns.length - 1], 'the bot said more than the "bot" turns expect: add a "bot" turn for it', 'no more bot messages', quote(pending[0]!));
    }
    return result();
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    const { line, column } = test.source.position(test.source.offset(error.at));
    const failure: TestFailure = { file: test.file, line, column, message: error.message };
    if (error.expected !== undefined) failure.expected = error.expected;
    if (error.got !== undefined) failure.got = error.got;
    if (logged.length > 0) failure.logged = logged;
    return result(failure);
  } finally {
    await store.close();
  }
}

/** `tokens`: the user starts signed in, as sign-ins would have left the token cache. */
async function seedTokens(test: LoadedTest, engine: Engine, user: User, conversation: string): Promise<void> {
  const { bot } = engine;
  const turn = { bot, user, conversation, session: newSession(test.now) };
  for (const [id, entry] of Object.entries(test.tokens)) {
    const definition = bot.authTokens[id];
    // The runner refuses a test naming a definition the bot does not have, before it plays.
    if (definition === undefined) continue;
    for (const { token, account } of Array.isArray(entry) ? entry : [entry]) {
      await saveToken(engine, turn, id, definition, { token, account: account ?? id }, definition.ttl);
    }
  }
}

type CallTurn = Extract<Turn, { call: unknown }>['call'];

/** The earliest call not yet claimed by a `call` turn that goes where this one says. */
function checkCall(expected: CallTurn, at: JsonPath, calls: readonly SeenCall[], claimed: Set<SeenCall>): void {
  const address = `${expected.method ?? 'any method'} ${expected.url ?? 'anywhere'}`;
  const open = calls.filter((c) => !claimed.has(c));
  const found = open.find((c) => (expected.method === undefined || c.method === expected.method) && (expected.url === undefined || sameAddress(expected.url, c.url)));
  if (found === undefined) {
    const got = open.length === 0 ? 'no call' : open.map((c) => `${c.method} ${c.shownUrl}`).join(', ');
    throw new Mismatch(at, 'the bot made no such call', address, got);
  }
  claimed.add(found);
  const difference = bodyDifference(expected, found.body, found.headers);
  if (difference !== undefined) {
    throw new Mismatch(at, `${difference.what} of ${found.method} ${found.shownUrl} is not as expected`, shown(difference.expected), shown(difference.got));
  }
}

function saysWhat(expected: Extract<Turn, { bot: unknown }>['bot'], message: string): boolean {
  if (typeof expected === 'string') return message === expected;
  if ('matches' in expected) return new RegExp(expected.matches).test(message);
  return message.includes(expected.contains);
}

function describeExpected(expected: Extract<Turn, { bot: unknown }>['bot']): string {
  if (typeof expected === 'string') return quote(expected);
  if ('matches' in expected) return `a message matching /${expected.matches}/`;
  return `a message containing ${quote(expected.contains)}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** The engine's errors (a turn that failed inside) go with a failure: they say why. */
function errorsInto(into: string[]): Log {
  return {
    debug() {},
    info() {},
    warn() {},
    error(fields, message) {
      const err = (fields as { err?: unknown }).err;
      into.push([message, err instanceof Error ? err.message : undefined].filter(Boolean).join(': '));
    },
  };
}
