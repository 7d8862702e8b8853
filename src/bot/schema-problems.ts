// Zod's issues, retold for a bot author: placed on the key or value in the file, and saying
// what to write instead. The schema itself stays the single source of what is allowed; this
// module only reads it (allowed keys, step types) to make its advice concrete.
import * as z from 'zod';
import type { core } from 'zod';
import type { BotSource, JsonPath } from './bot-source.js';
import { likelyMeant } from './closest-names.js';
import type { Problem } from './problems.js';
import { botFile, step } from './schema.js';

type Issue = core.$ZodIssue;

export function schemaProblems(issues: readonly Issue[], input: unknown, source: BotSource): Problem[] {
  return issues.flatMap((issue) => describeIssue(issue, input, source));
}

function describeIssue(issue: Issue, input: unknown, source: BotSource): Problem[] {
  const path: JsonPath = issue.path.map((s) => (typeof s === 'number' ? s : String(s)));
  const here = valueAt(input, path);
  const parentPath = path.slice(0, -1);
  const key = path.at(-1);
  const missing = path.length > 0 && typeof key === 'string' && source.node(path) === undefined;
  const owner = describeObject(parentPath, valueAt(input, parentPath));
  const subject = describeValue(path);
  const error = (message: string, at?: 'key'): Problem => source.error('schema', path, message, at ? { at } : {});

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path, input);
      const what = describeObject(path, here);
      return issue.keys.map((unknownKey) => {
        const meant = allowed ? likelyMeant(unknownKey, allowed) : undefined;
        const fix = meant ? `rename it to "${meant}"` : 'remove it';
        const list = allowed ? ` (${what} takes: ${allowed.join(', ')})` : '';
        return source.error('schema', [...path, unknownKey], `${what} has no key "${unknownKey}": ${fix}${list}`, { at: 'key' });
      });
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
        const options = issue.options.map(String);
        const container = describeObject(parentPath, undefined);
        if (missing) return [error(`${container} needs "${issue.discriminator}": add "${issue.discriminator}" with one of: ${options.join(', ')}`)];
        const meant = typeof here === 'string' ? likelyMeant(here, options) : undefined;
        const guess = meant ? `did you mean "${meant}"? Otherwise ` : '';
        const kind = container === 'a step' ? 'a step type' : `a valid "${issue.discriminator}"`;
        return [error(`${show(here)} is not ${kind}: ${guess}use one of: ${options.join(', ')}`)];
      }
      const expected = 'errors' in issue ? alternatives(issue.errors) : [];
      if (missing) return [error(`${owner} needs ${subject} (${orList(expected)}): add it`)];
      return [error(`${subject} must be ${orList(expected)}, not ${kindOf(here)}: change it`)];
    }
    case 'invalid_type': {
      const expected = expectedPhrase(issue.expected);
      if (missing) return [error(`${owner} needs ${subject} (${expected}): add it`)];
      if (issue.expected === 'int' && typeof here === 'number') return [error(`${subject} must be a whole number, not ${here}: round it`)];
      return [error(`${subject} must be ${expected}, not ${kindOf(here)}: ${howToWrite(issue.expected, here)}`)];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      if (missing) {
        const only = values.length === 1 ? `"${String(key)}": ${values[0]}` : `"${String(key)}" with one of: ${values.join(', ')}`;
        return [error(`${owner} needs ${subject}: add ${only}`)];
      }
      if (values.length === 1) return [error(`${subject} must be ${values[0]}, not ${show(here)}: write ${values[0]}`)];
      const options = issue.values.map(String);
      const meant = typeof here === 'string' ? likelyMeant(here, options) : undefined;
      const guess = meant ? `did you mean "${meant}"? Otherwise ` : '';
      return [error(`${subject} cannot be ${show(here)}: ${guess}use one of: ${options.join(', ')}`)];
    }
    case 'invalid_format':
      return [error(`${subject} cannot be ${show(here)}: ${issue.message}`)];
    case 'invalid_key': {
      const inner = issue.issues.map((i) => i.message).join('; ');
      return [error(`${show(key)} cannot name ${recordEntry(parentPath)}: ${inner}`, 'key')];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array') return [error(`${subject} needs at least ${min} ${min === 1 ? 'item' : 'items'}: add ${min === 1 ? 'one' : 'more'}`)];
      if (issue.origin === 'string') return [error(`${subject} cannot be empty: fill it in`)];
      return [error(`${subject} must be ${issue.inclusive ? 'at least' : 'more than'} ${min}, not ${show(here)}: raise it`)];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array') return [error(`${subject} can have at most ${max} items: remove some`)];
      if (issue.origin === 'string') return [error(`${subject} can be at most ${max} characters long: shorten it`)];
      return [error(`${subject} must be ${issue.inclusive ? 'at most' : 'less than'} ${max}, not ${show(here)}: lower it`)];
    }
    default:
      // Refinements in the schema already speak to the author ("a goto names either …").
      return [error(issue.message)];
  }
}

/** The value at `path` in the raw input, or undefined. */
function valueAt(input: unknown, path: JsonPath): unknown {
  let at: unknown = input;
  for (const segment of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[segment];
  }
  return at;
}

/** The keys the schema allows in the object at `path`, for a message naming them. */
function allowedKeys(path: JsonPath, input: unknown): string[] | undefined {
  let schema: z.ZodType | undefined = botFile;
  let value: unknown = input;
  for (const segment of [...path, undefined]) {
    schema = unwrap(schema, value);
    if (segment === undefined) break;
    value = valueAt(value, [segment]);
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(segment)];
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return undefined;
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  for (;;) {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodNullable)
      schema = schema.unwrap() as z.ZodType;
    else if (schema instanceof z.ZodPipe) schema = schema.in as z.ZodType;
    else if (schema instanceof z.ZodDiscriminatedUnion) {
      const discriminator = schema.def.discriminator;
      const tag = valueAt(value, [discriminator]);
      schema = (schema.options as readonly z.ZodType[]).find((option) => {
        const literal = option instanceof z.ZodObject ? (option.shape as Record<string, z.ZodType>)[discriminator] : undefined;
        return literal instanceof z.ZodLiteral && (literal.values as Set<unknown>).has(tag);
      });
    } else return schema;
  }
}

/** A phrase for the object at `path`, as an author thinks of it. */
export function describeObject(path: JsonPath, value: unknown): string {
  const n = path.length;
  const last = path[n - 1];
  const parent = path[n - 2];
  if (n === 0) return 'the bot';
  if (n === 1 && last === 'settings') return '"settings"';
  if (n === 2 && parent === 'triggers') return 'a trigger';
  if (n === 2 && parent === 'authTokens') return `auth token definition "${String(last)}"`;
  if (n === 2 && parent === 'scripts') return `script "${String(last)}"`;
  if (n === 4 && parent === 'questions') return 'a question of an auth token definition';
  if (n === 4 && parent === 'steps') {
    const type = valueAt(value, ['type']);
    return typeof type === 'string' && stepTypes.includes(type) ? `${article(type)} ${type} step` : 'a step';
  }
  if (parent === 'options') return 'a choice option';
  if (parent === 'branches') return 'a condition branch';
  if (last === 'when') return 'the "when" of a branch';
  return typeof last === 'number' ? 'this item' : `"${last}"`;
}

const stepTypes: readonly string[] = step.options.map((option) => option.shape.type.value);

function describeValue(path: JsonPath): string {
  const last = path.at(-1);
  if (last === undefined) return 'the bot file';
  if (typeof last === 'number') {
    const parent = path.at(-2);
    return parent === undefined ? 'this item' : `this item of "${String(parent)}"`;
  }
  return `"${last}"`;
}

function recordEntry(recordPath: JsonPath): string {
  switch (recordPath.at(-1)) {
    case 'authTokens':
      return 'an auth token definition';
    case 'scripts':
      return 'a script';
    case 'vars':
    case 'save':
      return 'a variable';
    default:
      return 'a key here';
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function expectedPhrase(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list […]';
    case 'object':
    case 'record':
      return 'an object {…}';
    case 'null':
      return 'null';
    default:
      return expected;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return 'nothing';
  }
}

function howToWrite(expected: string, value: unknown): string {
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return 'put it in double quotes';
  if ((expected === 'number' || expected === 'int') && typeof value === 'string') return 'write the number without quotes';
  if (expected === 'boolean' && typeof value === 'string') return 'write true or false without quotes';
  if (value === null) return `remove it or write ${expectedPhrase(expected)}`;
  return `write ${expectedPhrase(expected)}`;
}

function alternatives(errors: readonly (readonly Issue[])[]): string[] {
  const expected = errors.flatMap((group) =>
    group.flatMap((i) => (i.code !== 'invalid_type' || i.path.length > 0 ? [] : i.expected === 'boolean' ? ['true', 'false'] : [expectedPhrase(i.expected)])),
  );
  return [...new Set(expected)];
}

function orList(items: readonly string[]): string {
  if (items.length === 0) return 'something else';
  if (items.length === 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

function show(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}
