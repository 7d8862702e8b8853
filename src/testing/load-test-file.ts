// Loading a conversation test file: JSON with positions (the bot loader's parser), then the
// schema, then one LoadedTest per test with the file's shared parts filled in. Every mistake is
// a Problem at its FILE:LINE:COL; nothing here throws at an author.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { core } from 'zod';
import type { BotSource, JsonPath } from '../bot/bot-source.js';
import { likelyMeant } from '../bot/closest-names.js';
import { parseBotJson } from '../bot/json-syntax.js';
import type { Problem } from '../bot/problems.js';
import type { ChannelId } from '../runtime/turn.js';
import { singleTest, standIn, standInReply, standInWhen, testCase, testSuite, turnKinds, type StandIn, type TestCase, type Turn } from './test-file.js';

type Issue = core.$ZodIssue;
type TokenEntry = { token: string; account?: string | undefined };

/** When a file sets no clock: fixed, so a test gives the same result on any day. */
export const defaultNow = Date.parse('2026-01-01T09:00:00Z');

export interface LoadedTest {
  /** The test file, as it was named. */
  file: string;
  source: BotSource;
  /** Where the test is in its file: `[]`, or `["tests", i]`. */
  path: JsonPath;
  name: string;
  /** The bot file, relative to the current folder when the test file was named so. */
  bot: string;
  /** Where the bot is named, for problems with it. */
  botPath: JsonPath;
  channel: ChannelId;
  user: string | undefined;
  now: number;
  tokens: Record<string, TokenEntry | TokenEntry[]>;
  /** Where `tokens` is written, for a definition the bot does not have. */
  tokensPath: JsonPath;
  /** The test's own stand-ins first, then the file's. */
  services: StandIn[];
  secrets: Record<string, string>;
  turns: Turn[];
}

export interface LoadedTestFile {
  file: string;
  tests: LoadedTest[];
  /** Errors: a file with any runs none of its tests. */
  problems: Problem[];
}

export async function loadTestFile(file: string): Promise<LoadedTestFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'there is no such file: check the path' : code === 'EISDIR' ? 'this is a folder' : `the file cannot be read (${code ?? String(error)})`;
    return { file, tests: [], problems: [{ severity: 'error', file, line: 1, column: 1, pointer: '', message, code: 'read-error' }] };
  }
  return loadTestText(text, file);
}

export function loadTestText(text: string, file: string): LoadedTestFile {
  const parsed = parseBotJson(text, file, { noun: 'test file' });
  if (!('value' in parsed)) return { file, tests: [], problems: parsed.problems };
  const { source, value } = parsed;
  const isSuite = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, 'tests');
  if (!isSuite) {
    const checked = singleTest.safeParse(value);
    if (!checked.success) return { file, tests: [], problems: describeIssues(checked.error.issues, value, source, false) };
    const test = resolveTest(checked.data, {}, [], file, source);
    return 'problem' in test ? { file, tests: [], problems: [test.problem] } : { file, tests: [test], problems: [] };
  }
  const checked = testSuite.safeParse(value);
  if (!checked.success) return { file, tests: [], problems: describeIssues(checked.error.issues, value, source, true) };
  const { tests, ...shared } = checked.data;
  const loaded: LoadedTest[] = [];
  const problems: Problem[] = [];
  tests.forEach((test, i) => {
    const one = resolveTest(test, shared, ['tests', i], file, source, i);
    if ('problem' in one) problems.push(one.problem);
    else loaded.push(one);
  });
  return problems.length > 0 ? { file, tests: [], problems } : { file, tests: loaded, problems };
}

type Shared = Omit<TestCase, 'turns' | 'name'>;

function resolveTest(test: TestCase, shared: Shared, path: JsonPath, file: string, source: BotSource, index?: number): LoadedTest | { problem: Problem } {
  const bot = test.bot ?? shared.bot;
  if (bot === undefined) {
    return { problem: source.error('schema', path, 'this test names no bot: add "bot", the bot file\'s path relative to this test file') };
  }
  const channel = (test.channel ?? shared.channel ?? 'sms') as ChannelId;
  const turnsPath = [...path, 'turns'];
  for (const [i, turn] of test.turns.entries()) {
    if ('keys' in turn && channel !== 'phone') {
      return { problem: source.error('schema', [...turnsPath, i, 'keys'], `"keys" is the phone keypad, and this test runs on ${channel}: write {"user": "${turn.keys}"}, or set "channel": "phone"`, { at: 'key' }) };
    }
    if ('bot' in turn && typeof turn.bot === 'object' && 'matches' in turn.bot) {
      try {
        new RegExp(turn.bot.matches);
      } catch (error) {
        return { problem: source.error('schema', [...turnsPath, i, 'bot', 'matches'], `this is not a regular expression JavaScript reads (${(error as Error).message}): fix it, or use {"contains": "…"}`) };
      }
    }
  }
  const stem = basename(file).replace(/\.test\.json$/, '').replace(/\.json$/, '');
  return {
    file,
    source,
    path,
    name: test.name ?? (index === undefined ? stem : `${stem} #${index + 1}`),
    bot: isAbsolute(bot) ? bot : join(dirname(file), bot),
    botPath: test.bot !== undefined ? [...path, 'bot'] : ['bot'],
    channel,
    user: test.user ?? shared.user,
    now: Date.parse(test.now ?? shared.now ?? new Date(defaultNow).toISOString()),
    tokens: test.tokens ?? shared.tokens ?? {},
    tokensPath: test.tokens !== undefined ? [...path, 'tokens'] : ['tokens'],
    services: [...(test.services ?? []), ...(shared.services ?? [])],
    secrets: { ...shared.secrets, ...test.secrets },
    turns: test.turns,
  };
}

// ---- zod's issues, told as an author of test files needs them ----

const turnExamples = Object.keys(turnKinds).map((k) => `{"${k}": …}`).join(', ');

function describeIssues(issues: readonly Issue[], value: unknown, source: BotSource, isSuite: boolean): Problem[] {
  const problems = issues.flatMap((issue) => describeIssue(issue, value, source, isSuite, []));
  // One problem per place: zod may say two things about one value.
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.line}:${p.column}`) && seen.add(`${p.line}:${p.column}`)).sort((a, b) => a.line - b.line || a.column - b.column);
}

function describeIssue(issue: Issue, root: unknown, source: BotSource, isSuite: boolean, prefix: JsonPath): Problem[] {
  const path: JsonPath = [...prefix, ...issue.path.map((s) => (typeof s === 'number' ? s : String(s)))];
  const here = valueAt(root, path);
  const key = path.at(-1);
  const name = typeof key === 'string' ? `"${key}"` : path.length === 0 ? 'a test file' : 'this';

  if (issue.code === 'invalid_union' && isTurnPath(path)) return describeTurn(path, here, root, source, isSuite);
  if (issue.code === 'invalid_union' && key === 'bot' && isTurnPath(path.slice(0, -1))) {
    return [source.error('schema', path, '"bot" is the message as it is, or {"matches": "a regular expression"}, or {"contains": "some text"}')];
  }
  if (issue.code === 'invalid_union' && path.at(-2) === 'tokens') {
    return [source.error('schema', path, 'a token is {"token": "…", "account": "…"} ("account" optional), or a list of them for a definition with several accounts')];
  }
  if (issue.code === 'invalid_union' && key === 'signIn') {
    return [source.error('schema', path, '"signIn" is {"token": "…", "account": "…"} for a sign-in that worked, or "refused"')];
  }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(path, isSuite);
    return issue.keys.map((unknown) => {
      const meant = allowed === undefined ? undefined : likelyMeant(unknown, allowed);
      const fix = meant === undefined ? 'remove it' : `rename it to "${meant}"`;
      const list = allowed === undefined ? '' : ` (here: ${allowed.join(', ')})`;
      return source.error('schema', [...path, unknown], `"${unknown}" is not a key here: ${fix}${list}`, { at: 'key' });
    });
  }
  if (issue.code === 'invalid_type' && here === undefined && typeof key === 'string') {
    return [source.error('schema', path, `${needs(key)}: add it`)];
  }
  if (issue.code === 'invalid_type') return [source.error('schema', path, `${name} must be ${expected(issue.expected)}, not ${kindOf(here)}`)];
  if (issue.code === 'too_small' && Array.isArray(here)) return [source.error('schema', path, `${name} is empty: give it at least ${String(issue.minimum)}`)];
  if (issue.code === 'invalid_value') return [source.error('schema', path, `${name} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`)];
  return [source.error('schema', path, `${name}: ${issue.message}`)];
}

/** A turn that fits no kind: find the kind its key names and tell what that kind needs. */
function describeTurn(path: JsonPath, turn: unknown, root: unknown, source: BotSource, isSuite: boolean): Problem[] {
  if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
    return [source.error('schema', path, `a turn is an object, one of: ${turnExamples}`)];
  }
  const keys = Object.keys(turn);
  const kind = keys.find((k): k is keyof typeof turnKinds => Object.hasOwn(turnKinds, k));
  if (kind === undefined) {
    const meant = keys[0] === undefined ? undefined : likelyMeant(keys[0], Object.keys(turnKinds));
    const guess = meant === undefined ? '' : `did you mean "${meant}"? `;
    return [source.error('schema', keys[0] === undefined ? path : [...path, keys[0]], `${guess}a turn is one of: ${turnExamples}`, { at: 'key' })];
  }
  const others = keys.filter((k) => k !== kind);
  if (others.length > 0) {
    return others.map((other) =>
      source.error('schema', [...path, other], `a {"${kind}": …} turn holds nothing else: put "${other}" in a turn of its own (one of ${turnExamples})`, { at: 'key' }),
    );
  }
  const checked = turnKinds[kind].safeParse(turn);
  return checked.success ? [] : checked.error.issues.flatMap((issue) => describeIssue(issue, root, source, isSuite, path));
}

function isTurnPath(path: JsonPath): boolean {
  return path.length >= 2 && path.at(-2) === 'turns' && typeof path.at(-1) === 'number';
}

function allowedKeys(path: JsonPath, isSuite: boolean): string[] | undefined {
  const last = path.at(-1);
  const parent = path.at(-2);
  if (path.length === 0) return Object.keys((isSuite ? testSuite : singleTest).shape);
  if (parent === 'tests' && path.length === 2) return Object.keys(testCase.shape);
  if (parent === 'services' && typeof last === 'number') return Object.keys(standIn.shape);
  if (last === 'reply') return Object.keys(standInReply.shape);
  if (last === 'when') return Object.keys(standInWhen.shape);
  if (last === 'call') return Object.keys(turnKinds.call.shape.call.shape);
  if (parent === 'tokens') return ['token', 'account'];
  return undefined;
}

const needed: Record<string, string> = {
  turns: 'a test needs "turns": the conversation, as a list of turns',
  tests: 'a file of tests needs "tests": a list of tests',
  method: 'a stand-in needs "method": GET, POST, PUT, PATCH or DELETE',
  url: 'a stand-in needs "url": the address the bot calls',
  reply: 'a stand-in needs "reply": what the service answers, e.g. {"status": 200, "json": {…}}',
  token: 'a token needs "token": the token\'s value',
};

function needs(key: string): string {
  return needed[key] ?? `this needs "${key}"`;
}

function expected(type: string): string {
  switch (type) {
    case 'string':
      return 'text in double quotes';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list [ … ]';
    case 'object':
    case 'record':
      return 'an object { … }';
    default:
      return type;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}
