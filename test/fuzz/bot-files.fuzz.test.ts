// Property: any file, however broken, is loaded or refused with located problems, one per line,
// never with an exception, in bounded time. Files are the example bots mutated: a value
// somewhere replaced by any JSON value, or text cut out and other text put in.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBotText } from '../../src/bot/load.js';
import { formatProblem } from '../../src/bot/problems.js';
import { fuzzParameters, fuzzTimeoutMs } from './settings.js';

const examples = ['demo', 'pizza', 'phone-bank'].map((name) => readFileSync(new URL(`../../scripts/${name}.json`, import.meta.url), 'utf8'));

type Json = unknown;

/** Every place in a JSON value, as a list of keys. */
function places(value: Json, at: Array<string | number> = [], found: Array<Array<string | number>> = []): Array<Array<string | number>> {
  found.push(at);
  if (Array.isArray(value)) value.forEach((item, i) => places(item, [...at, i], found));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) places(item, [...at, key], found);
  return found;
}

function replaced(value: Json, at: ReadonlyArray<string | number>, by: Json): Json {
  if (at.length === 0) return by;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaced(item, rest, by) : item));
  const copy = { ...(value as Record<string, Json>) };
  copy[head as string] = replaced(copy[head as string], rest, by);
  return copy;
}

const oddText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\n', 'bad\nkey', '\u0000', '\ud800', '^(a+)+$', '(?=x)', '$..[?(@.a)]', 'http://{host}/x', '{', '}}', '{{x}}', '<authtoken>', '#', 'main#nope'),
  fc.string({ maxLength: 5 }).map((s) => s.repeat(2_000)),
);

const anyValue: fc.Arbitrary<Json> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), oddText, fc.constantFrom(null, -0, 1e308, true, [], {}));

const treeMutation = fc.record({ example: fc.nat({ max: examples.length - 1 }), place: fc.nat(), value: anyValue }).map(({ example, place, value }) => {
  const parsed = JSON.parse(examples[example]!) as Json;
  const all = places(parsed);
  return JSON.stringify(replaced(parsed, all[place % all.length]!, value), null, 2);
});

const textMutation = fc.record({ example: fc.nat({ max: examples.length - 1 }), at: fc.nat(), cut: fc.nat({ max: 30 }), insert: oddText }).map(({ example, at, cut, insert }) => {
  const text = examples[example]!;
  const from = at % (text.length + 1);
  return text.slice(0, from) + insert + text.slice(from + cut);
});

describe('any bot file', () => {
  it(
    'is loaded, or refused with located problems one per line, without an exception, in bounded time',
    () => {
      fc.assert(
        fc.property(fc.oneof(treeMutation, textMutation), (text) => {
          const started = performance.now();
          const { bot, problems } = loadBotText(text, 'bot.json');
          const ms = performance.now() - started;
          // Well under a second per megabyte (these files are a few kilobytes to a few tens).
          expect(ms).toBeLessThan(1_000);
          if (bot === undefined) expect(problems.some((p) => p.severity === 'error')).toBe(true);
          for (const problem of problems) {
            const line = formatProblem(problem);
            expect(line).toMatch(/^bot\.json:\d+:\d+: .+ \(.*\)$/);
            expect(line).not.toMatch(/[\n\r]/);
          }
        }),
        fuzzParameters(300),
      );
    },
    fuzzTimeoutMs(30_000),
  );
});
