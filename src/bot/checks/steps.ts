// Rules about one definition or step at a time that the schema cannot say: keys that depend
// on other keys, regular expressions that must compile, paths that must be readable, answers
// that should be secret.
import { patternError } from '../../runtime/patterns.js';
import { pathFault } from '../../http/json-path.js';
import type { Bot } from '../bot.js';
import type { BotSource, JsonPath } from '../bot-source.js';
import { allSteps } from '../bot-steps.js';
import type { Problem } from '../problems.js';

export function checkStepRules(bot: Bot, source: BotSource): Problem[] {
  const problems: Problem[] = [];

  for (const [id, definition] of Object.entries(bot.authTokens)) {
    const path = ['authTokens', id];
    if (definition.mode !== 'credentials') {
      const paths: Record<string, string | undefined> =
        definition.mode === 'web'
          ? { tokenPath: definition.tokenPath, accountPath: definition.accountPath, validPath: definition.validPath }
          : definition.mode === 'email'
            ? { tokenPath: definition.tokenPath, errorPath: definition.errorPath, validPath: definition.validPath }
            : { validPath: definition.validPath };
      for (const [key, written] of Object.entries(paths)) if (written !== undefined) problems.push(...pathProblems(source, [...path, key], `"${key}"`, written));
      continue;
    }
    if (definition.json && definition.tokenPath === undefined) {
      const why = source.node([...path, 'json']) ? '"json" is true' : '"json" is true by default';
      problems.push(
        source.error(
          'missing-token-path',
          path,
          `auth token definition "${id}" reads the token from a JSON answer (${why}) but has no "tokenPath": add "tokenPath" (e.g. "token", "data.auth.token" or "$.data.token"), or set "json": false to use the whole answer as the token`,
          { at: 'key' },
        ),
      );
    }
    if (!definition.json && definition.validPath !== undefined) {
      problems.push(
        source.error(
          'bad-path',
          [...path, 'validPath'],
          `auth token definition "${id}" has "json": false, so its answer is not read as JSON and "validPath" cannot be read: remove "validPath", or remove "json": false and add "tokenPath"`,
          { at: 'key' },
        ),
      );
    }
    for (const key of ['tokenPath', 'expiresInPath', 'accountPath', 'validPath'] as const) {
      const written = definition[key];
      if (written !== undefined) problems.push(...pathProblems(source, [...path, key], `"${key}"`, written));
    }
    definition.questions.forEach((question, i) => {
      const kind = secretKind(question.field);
      if (kind && !question.secret)
        problems.push(
          source.warning(
            'secret-not-marked',
            [...path, 'questions', i, 'field'],
            `field "${question.field}" looks like a ${kind}, but its answer is not marked secret: add "secret": true to this question so the answer is never stored, logged or echoed`,
          ),
        );
    });
  }

  for (const { step, path } of allSteps(bot)) {
    if ((step.type === 'authToken' || step.type === 'webService') && step.save !== undefined)
      for (const [variable, written] of Object.entries(step.save)) problems.push(...pathProblems(source, [...path, 'save', variable], `the path saved as "${variable}"`, written));
    if (step.type === 'question') {
      const inputWritten = source.node([...path, 'input']) !== undefined;
      if (step.input === 'choice' && step.options === undefined)
        problems.push(
          source.error('choice-without-options', [...path, 'input'], 'a choice question needs "options": add "options": [{ "label": "…", "value": "…" }, …]'),
        );
      if (step.input !== 'choice' && step.options !== undefined)
        problems.push(
          source.error(
            'options-without-choice',
            [...path, 'options'],
            `"options" only apply to a choice question, and this one's input is "${step.input}"${inputWritten ? '' : ' by default'}: set "input": "choice" or remove "options"`,
            { at: 'key' },
          ),
        );
      if (step.pattern !== undefined) {
        const failure = regexError(step.pattern);
        if (failure) problems.push(source.error('bad-pattern', [...path, 'pattern'], `"pattern" is not a valid regular expression (${failure}): ${regexAdvice}`));
      }
      const kind = secretKind(step.save);
      if (kind)
        problems.push(
          source.warning(
            'secret-not-marked',
            [...path, 'save'],
            `this question saves a ${kind} in the variable "${step.save}", which is kept with the conversation: ask for it in the "questions" of an auth token definition, with "secret": true`,
          ),
        );
    }
    if (step.type === 'condition') {
      step.branches.forEach(({ when }, i) => {
        const whenPath = [...path, 'branches', i, 'when'];
        if (when.op === 'exists' || when.op === 'empty') return;
        if (when.value === undefined) {
          const example = when.op === 'matches' ? '"^[0-9]+$"' : '"yes"';
          problems.push(
            source.error('missing-value', whenPath, `the "${when.op}" test needs a "value" to compare "${when.var}" with: add "value", e.g. "value": ${example}`),
          );
          return;
        }
        if (when.op !== 'matches') return;
        if (typeof when.value !== 'string') {
          problems.push(source.error('bad-pattern', [...whenPath, 'value'], `"matches" needs a regular expression as a string: write the value in double quotes`));
          return;
        }
        const failure = regexError(when.value);
        if (failure) problems.push(source.error('bad-pattern', [...whenPath, 'value'], `this value is not a valid regular expression (${failure}): ${regexAdvice}`));
      });
    }
  }
  return problems;
}

const pathAdvice = 'write a field name ("token"), a dotted path ("data.auth.token") or a plain JSONPath ("$.data.token", "$.items[0].id")';

// The check readPath makes at run time, so no path passes here and then reads nothing.
function pathProblems(source: BotSource, at: JsonPath, what: string, path: string): Problem[] {
  switch (pathFault(path)) {
    case undefined:
    case 'empty':
      // An empty path is the schema's to report.
      return [];
    case 'script':
      return [source.error('bad-path', at, `${what} uses a JSONPath filter or script expression ([?(…)] or (…)), and a bot runs no code: ${pathAdvice} instead`)];
    case 'syntax':
      return [source.error('bad-path', at, `${what} is not a JSONPath that can be read: ${pathAdvice}`)];
  }
}

const regexAdvice =
  'patterns use RE2 syntax, which matches in linear time: no lookarounds ((?=, (?!, (?<=) and no backreferences (\\1); ' +
  'and in JSON a backslash is written twice ("\\\\d+" for \\d+)';

// Checked with the engine the runtime matches with (RE2), whose message names what is wrong.
const regexError = patternError;

const secretKinds: ReadonlyArray<{ kind: string; anywhere?: RegExp; word?: RegExp }> = [
  { kind: 'password', anywhere: /passw(or)?d|passphrase/, word: /^(pass|pwd|pw)$/ },
  { kind: 'passcode', anywhere: /passcode/ },
  { kind: 'PIN', word: /^(pin|pincode)$/ },
  { kind: 'secret', anywhere: /secret/ },
  { kind: 'one-time code', word: /^(otp|totp)$/ },
  { kind: 'card security code', word: /^(cvv|cvc|csc)$/ },
];

/** What kind of secret a field or variable name suggests, if any. */
export function secretKind(name: string): string | undefined {
  const lower = name.toLowerCase();
  // "pin" must be a word of its own, or "shipping" would look like one: split camelCase,
  // snake_case, kebab-case and digits into words (userPin2 → user, pin, 2).
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const found = secretKinds.find(({ anywhere, word }) => anywhere?.test(lower) || (word && words.some((w) => word.test(w))));
  return found?.kind;
}
