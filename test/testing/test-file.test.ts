// A test file the loader cannot use is told at its FILE:LINE:COL, in words saying what to write.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/bot/problems.js';
import { loadTestText } from '../../src/testing/load-test-file.js';
import { lineOf } from '../support/test-files.js';

function problemsOf(text: string): string[] {
  return loadTestText(text, 'bad.test.json').problems.map(formatProblem);
}

describe('loading a test file', () => {
  it('reads one test, or several sharing the bot, the channel and the stand-ins', () => {
    const one = loadTestText('{ "bot": "../bot.json", "turns": [{ "user": "hi" }] }', 'tests/one.test.json');
    expect(one.problems).toEqual([]);
    expect(one.tests[0]).toMatchObject({ name: 'one', bot: 'bot.json', channel: 'sms', path: [] });

    const suite = loadTestText(
      JSON.stringify({
        bot: 'bot.json',
        channel: 'whatsapp',
        services: [{ method: 'GET', url: 'https://api.example.com/a', reply: { status: 204 } }],
        tests: [
          { name: 'first', turns: [{ user: 'hi' }], services: [{ method: 'GET', url: 'https://api.example.com/b', reply: { status: 200 } }] },
          { channel: 'sms', turns: [{ user: 'hi' }] },
        ],
      }),
      'suite.test.json',
    );
    expect(suite.problems).toEqual([]);
    expect(suite.tests.map((t) => [t.name, t.channel, t.services.map((s) => s.url)])).toEqual([
      ['first', 'whatsapp', ['https://api.example.com/b', 'https://api.example.com/a']],
      ['suite #2', 'sms', ['https://api.example.com/a']],
    ]);
  });

  it('names a turn nobody can play, and suggests the key that was meant', () => {
    const text = '{\n  "bot": "b.json",\n  "turns": [\n    { "user": "hi" },\n    { "bott": "Hello" }\n  ]\n}\n';
    expect(problemsOf(text)).toEqual([
      `bad.test.json:${lineOf(text, '"bott"').line}:${lineOf(text, '"bott"').column}: did you mean "bot"? a turn is one of: {"user": …}, {"keys": …}, {"bot": …}, {"call": …}, {"vars": …}, {"ended": …}, {"signIn": …} (/turns/1/bott)`,
    ]);
  });

  it('refuses a turn that holds two kinds, and tells what a bot turn may hold', () => {
    const text = '{\n  "bot": "b.json",\n  "turns": [\n    { "user": "hi", "bot": "Hello" },\n    { "bot": 3 }\n  ]\n}\n';
    const problems = problemsOf(text);
    expect(problems[0]).toMatch(/^bad\.test\.json:4:21: a \{"user": …\} turn holds nothing else: put "bot" in a turn of its own/);
    expect(problems[1]).toMatch(/^bad\.test\.json:5:14: "bot" is the message as it is, or \{"matches": "a regular expression"\}, or \{"contains": "some text"\}/);
  });

  it('refuses keys off the phone, a regular expression JavaScript cannot read, and a stand-in without a full URL', () => {
    const text = [
      '{',
      '  "bot": "b.json",',
      '  "services": [{ "method": "GET", "url": "/balance", "reply": {} }],',
      '  "turns": [{ "keys": "12#" }, { "bot": { "matches": "(" } }]',
      '}',
    ].join('\n');
    expect(problemsOf(text)[0]).toMatch(/^bad\.test\.json:3:42: "url": a stand-in's "url" is a full http:\/\/ or https:\/\/ address/);
    const fixed = text.replace('"/balance"', '"https://api.example.com/balance"');
    const at = (needle: string) => `${lineOf(text, needle).line}:${lineOf(text, needle).column}`;
    expect(at('"keys"')).toBe('4:15');
    expect(problemsOf(fixed)[0]).toMatch(/^bad\.test\.json:4:15: "keys" is the phone keypad, and this test runs on sms: write \{"user": "12#"\}, or set "channel": "phone"/);
    const onPhone = fixed.replace('"bot": "b.json",', '"bot": "b.json", "channel": "phone",');
    expect(problemsOf(onPhone)[0]).toContain(`bad.test.json:${at('"("')}: this is not`);
    expect(problemsOf(onPhone)[0]).toMatch(/: this is not a regular expression JavaScript reads/);
  });

  it('says what a test lacks, and what a key was likely meant to be', () => {
    expect(problemsOf('{ "bot": "b.json" }')).toEqual(['bad.test.json:1:1: a test needs "turns": the conversation, as a list of turns: add it (/turns)']);
    expect(problemsOf('{ "turns": [{ "user": "hi" }] }')).toEqual(['bad.test.json:1:1: this test names no bot: add "bot", the bot file\'s path relative to this test file ()']);
    expect(problemsOf('{ "bot": "b.json", "chanel": "sms", "turns": [{ "user": "hi" }] }')[0]).toMatch(/^bad\.test\.json:1:20: "chanel" is not a key here: rename it to "channel"/);
    expect(problemsOf('{ "bot": "b.json", "now": "tomorrow", "turns": [{ "user": "hi" }] }')[0]).toMatch(/^bad\.test\.json:1:27: "now": "now" is a date and time such as "2026-12-01T09:00:00Z"/);
  });

  it('gives JSON syntax errors as the bot loader does, naming a test file', () => {
    expect(problemsOf('{ "bot": "b.json", "turns": [ }')).toEqual([
      'bad.test.json:1:31: expected a value: write a string in double quotes, a number, true, false, null, an object {…} or a list […] (/turns/0)',
    ]);
    expect(problemsOf('// a comment\n{}')[0]).toMatch(/comments are not allowed: a test file is plain JSON/);
    expect(problemsOf('')[0]).toMatch(/the file is empty: a test file is a JSON object/);
  });
});
