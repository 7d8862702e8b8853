// The editor's schema, checked by an independent validator (ajv, draft 2020-12) the way an
// editor uses it: the example bots pass, and each broken bot gets as many errors as it has
// mistakes, on the place of the mistake. The loader is asked too, so the two agree.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { botJsonSchema } from '../../src/bot/json-schema.js';
import { loadBotText } from '../../src/bot/load.js';
import { stepTypeNames } from './step-type-names.js';

const root = join(import.meta.dirname, '..', '..');
const schema = botJsonSchema();

function compile(schemaToUse: object = schema) {
  const warnings: unknown[] = [];
  const logger = { log: () => undefined, warn: (...args: unknown[]) => void warnings.push(args), error: (...args: unknown[]) => void warnings.push(args) };
  // `type: ["string", "number", …]` is plain JSON Schema; ajv's strict mode asks for it by name.
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, logger });
  return { validate: ajv.compile(schemaToUse), warnings };
}

/**
 * The errors an editor shows. ajv adds a summary for a failed `if`/`then` ("must match
 * "then" schema") and for a key that fails `propertyNames`, beside the error that says what
 * is wrong; VS Code's JSON service reports only the latter, so the summaries are not counted.
 */
function editorErrors(errors: readonly ErrorObject[] | null | undefined): ErrorObject[] {
  return (errors ?? []).filter((error) => error.keyword !== 'if' && error.keyword !== 'propertyNames');
}

async function exampleBots(): Promise<[string, unknown][]> {
  const names = (await readdir(join(root, 'scripts'))).filter((name) => name.endsWith('.json') && name !== 'bot.schema.json');
  return Promise.all(names.map(async (name) => [name, JSON.parse(await readFile(join(root, 'scripts', name), 'utf8'))] as [string, unknown]));
}

const demoText = await readFile(join(root, 'scripts', 'demo.json'), 'utf8');
type Bot = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const demo = (): Bot => JSON.parse(demoText) as Bot;
const mainSteps = (bot: Bot): Bot[] => bot['scripts'].main.steps as Bot[];

interface Broken {
  mistake: string;
  edit: (bot: Bot) => void;
  /** Where each error is: its instance path and ajv keyword. */
  errors: { at: string; keyword: string }[];
}

const broken: Broken[] = [
  { mistake: 'an unknown key in a step', edit: (b) => void (mainSteps(b)[0]!['colour'] = 'red'), errors: [{ at: '/scripts/main/steps/0', keyword: 'additionalProperties' }] },
  { mistake: 'an unknown step type', edit: (b) => void (mainSteps(b)[0]!['type'] = 'mesage'), errors: [{ at: '/scripts/main/steps/0/type', keyword: 'enum' }] },
  { mistake: 'a step without a type', edit: (b) => void delete mainSteps(b)[0]!['type'], errors: [{ at: '/scripts/main/steps/0', keyword: 'required' }] },
  { mistake: 'a required key of a step left out', edit: (b) => void delete mainSteps(b)[1]!['token'], errors: [{ at: '/scripts/main/steps/1', keyword: 'required' }] },
  { mistake: 'a key of another step type', edit: (b) => void (mainSteps(b)[3]!['onError'] = 'api-down'), errors: [{ at: '/scripts/main/steps/3', keyword: 'additionalProperties' }] },
  { mistake: 'a number in quotes', edit: (b) => void (b['authTokens']['acme-login'].maxAttempts = '3'), errors: [{ at: '/authTokens/acme-login/maxAttempts', keyword: 'type' }] },
  { mistake: 'an unknown method', edit: (b) => void (mainSteps(b)[2]!['method'] = 'FETCH'), errors: [{ at: '/scripts/main/steps/2/method', keyword: 'enum' }] },
  { mistake: 'a header name with a space', edit: (b) => void (mainSteps(b)[2]!['headers'] = { 'Auth orization': 'Bearer {authtoken}' }), errors: [{ at: '/scripts/main/steps/2/headers', keyword: 'pattern' }] },
  { mistake: 'an unknown key in an auth token definition', edit: (b) => void (b['authTokens']['acme-login'].tokenpath = 'x'), errors: [{ at: '/authTokens/acme-login', keyword: 'additionalProperties' }] },
  { mistake: 'an unknown sign-in mode', edit: (b) => void (b['authTokens']['acme-login'].mode = 'magic'), errors: [{ at: '/authTokens/acme-login/mode', keyword: 'enum' }] },
  {
    mistake: 'a web definition without its endUrl',
    edit: (b) => void (b['authTokens']['web'] = { mode: 'web', beginUrl: 'https://auth.example.com/begin', ttl: 600 }),
    errors: [{ at: '/authTokens/web', keyword: 'required' }],
  },
  {
    mistake: 'a question key in an oauth definition',
    edit: (b) => void (b['authTokens']['sso'] = { mode: 'oauth', issuer: 'https://id.example.com', clientId: 'parley', questions: [] }),
    errors: [{ at: '/authTokens/sso', keyword: 'additionalProperties' }],
  },
  { mistake: 'an auth question without its field', edit: (b) => void delete b['authTokens']['acme-login'].questions[0].field, errors: [{ at: '/authTokens/acme-login/questions/0', keyword: 'required' }] },
  { mistake: 'an auth token id in capitals', edit: (b) => void (b['authTokens'] = { 'Acme-Login': b['authTokens']['acme-login'] }), errors: [{ at: '/authTokens', keyword: 'pattern' }] },
  { mistake: 'a bot id in capitals', edit: (b) => void (b['id'] = 'Demo'), errors: [{ at: '/id', keyword: 'pattern' }] },
  { mistake: 'another format', edit: (b) => void (b['format'] = 2), errors: [{ at: '/format', keyword: 'const' }] },
  { mistake: 'no start', edit: (b) => void delete b['start'], errors: [{ at: '', keyword: 'required' }] },
  { mistake: 'an unknown top-level key', edit: (b) => void (b['script'] = {}), errors: [{ at: '', keyword: 'additionalProperties' }] },
  { mistake: 'a negative session timeout', edit: (b) => void (b['settings'].sessionTimeout = -5), errors: [{ at: '/settings/sessionTimeout', keyword: 'exclusiveMinimum' }] },
  { mistake: 'an empty script', edit: (b) => void (b['scripts'].logout.steps = []), errors: [{ at: '/scripts/logout/steps', keyword: 'minItems' }] },
  { mistake: 'a trigger without keywords', edit: (b) => void (b['triggers'][0].keywords = []), errors: [{ at: '/triggers/0/keywords', keyword: 'minItems' }] },
  {
    mistake: 'an unknown condition op',
    edit: (b) => void mainSteps(b).splice(1, 0, { type: 'condition', branches: [{ when: { var: 'x', op: 'equals', value: 1 }, goto: 'api-down' }] }),
    errors: [{ at: '/scripts/main/steps/1/branches/0/when/op', keyword: 'enum' }],
  },
  {
    mistake: 'an unknown input type',
    edit: (b) => void mainSteps(b).splice(1, 0, { type: 'question', ask: 'Colour?', save: 'colour', input: 'colour' }),
    errors: [{ at: '/scripts/main/steps/1/input', keyword: 'enum' }],
  },
  {
    mistake: 'two mistakes in two steps',
    edit: (b) => {
      mainSteps(b)[0]!['colour'] = 'red';
      mainSteps(b)[3]!['text'] = 42;
    },
    errors: [
      { at: '/scripts/main/steps/0', keyword: 'additionalProperties' },
      { at: '/scripts/main/steps/3/text', keyword: 'type' },
    ],
  },
  // A misspelt required key is two facts an editor cannot join: a key it does not know, and
  // the key it needs missing. (`parley validate` says it in one line: rename it.)
  {
    mistake: 'a misspelt required key',
    edit: (b) => {
      const first = mainSteps(b)[0]!;
      first['txt'] = first['text'];
      delete first['text'];
    },
    errors: [
      { at: '/scripts/main/steps/0', keyword: 'required' },
      { at: '/scripts/main/steps/0', keyword: 'additionalProperties' },
    ],
  },
];

describe('the editor schema, through ajv (draft 2020-12)', () => {
  it('compiles in strict mode without a warning', () => {
    const { warnings } = compile();
    expect(warnings).toEqual([]);
  });

  it('accepts every example bot in scripts/', async () => {
    const { validate } = compile();
    const bots = await exampleBots();
    expect(bots.map(([name]) => name)).toEqual(expect.arrayContaining(['demo.json', 'phone-bank.json', 'pizza.json']));
    for (const [name, bot] of bots) {
      validate(bot);
      expect({ name, errors: validate.errors ?? [] }).toEqual({ name, errors: [] });
    }
  });

  it.each(broken)('$mistake: as many errors as mistakes, each where the mistake is', ({ edit, errors }) => {
    const { validate } = compile();
    const bot = demo();
    edit(bot);
    expect(validate(bot)).toBe(false);
    const shown = editorErrors(validate.errors).map((error) => ({ at: error.instancePath, keyword: error.keyword }));
    expect(shown).toEqual(errors);
    // Beside them, ajv's summaries only (a failed "then", a key's name); a oneOf of the nine step
    // types gave an error per type and more for one mistake in a step.
    expect((validate.errors ?? []).length).toBeLessThanOrEqual(errors.length * 2 + 1);
    // The loader refuses the same bot.
    expect(loadBotText(JSON.stringify(bot, null, 2), 'broken.json').bot).toBeUndefined();
  });
});

describe('the editor schema explains every key', () => {
  const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
  const resolve = (node: Record<string, unknown>): Record<string, unknown> => {
    const ref = node['$ref'];
    return typeof ref === 'string' ? { ...resolve(defs[ref.replace('#/$defs/', '')]!), ...node } : node;
  };

  /** Every `properties` entry in the schema, with where it is. */
  function everyKey(node: unknown, where: string, out: [string, Record<string, unknown>][] = []): [string, Record<string, unknown>][] {
    if (Array.isArray(node)) node.forEach((item, i) => everyKey(item, `${where}/${i}`, out));
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'properties' && !where.includes('/if')) {
          for (const [name, property] of Object.entries(value as Record<string, Record<string, unknown>>)) out.push([`${where}/${name}`, property]);
        }
        everyKey(value, `${where}/${key}`, out);
      }
    }
    return out;
  }

  it('gives every key a description, and many keys examples or defaults', () => {
    const keys = everyKey(schema, '#');
    expect(keys.length).toBeGreaterThan(90);
    const undescribed = keys.filter(([, property]) => typeof resolve(property)['description'] !== 'string').map(([where]) => where);
    expect(undescribed).toEqual([]);
    const shown = keys.filter(([, property]) => 'examples' in property || 'default' in property);
    expect(shown.length).toBeGreaterThan(30);
  });

  it('describes each definition and each kind of record entry', () => {
    for (const [name, def] of Object.entries(defs)) expect({ name, description: typeof def['description'] }).toEqual({ name, description: 'string' });
    const properties = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(properties['authTokens']!['additionalProperties']).toEqual({ $ref: '#/$defs/authTokenDefinition' });
  });

  it('keys an editor explains come from the zod schema, with its defaults', () => {
    const token = defs['credentialsDefinition']!['properties'] as Record<string, Record<string, unknown>>;
    expect(token['ttl']!['description']).toMatch(/Seconds the token stays cached/);
    expect(token['tokenPath']!['examples']).toContain('access_token');
    expect(token['maxAttempts']!['default']).toBe(3);
    expect(token['scope']!['description']).toMatch(/conversation/);
    const oauth = defs['oauthDefinition']!['properties'] as Record<string, Record<string, unknown>>;
    expect(oauth['verifyCode']!['default']).toBe(true);
    expect(oauth['linkTtl']!['description']).toMatch(/Seconds the link/);
  });
});

describe('the editor schema, its shape', () => {
  it('has a draft 2020-12 $schema, a title, and an $id only when told where it is served', () => {
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Parley bot file', type: 'object' });
    expect(schema).not.toHaveProperty('$id');
    const served = botJsonSchema({ id: 'https://bots.example.com/schema/bot.schema.json' });
    expect(served['$id']).toBe('https://bots.example.com/schema/bot.schema.json');
    expect(() => compile(served)).not.toThrow();
  });

  it('requires only what an author must write, not what has a default', () => {
    expect(schema['required']).toEqual(expect.arrayContaining(['format', 'id', 'name', 'start', 'scripts']));
    expect(schema['required']).not.toContain('settings');
    expect(schema['required']).not.toContain('triggers');
  });

  it('names every definition, and dispatches steps on "type"', () => {
    const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(defs).filter((name) => name.startsWith('__'))).toEqual([]);
    expect(JSON.stringify(schema)).not.toContain('__schema');
    for (const type of stepTypeNames) expect(defs).toHaveProperty(`${type}Step`);
    const stepDef = defs['step']!;
    expect(stepDef).not.toHaveProperty('oneOf');
    expect((stepDef['properties'] as { type: { enum: string[] } }).type.enum).toEqual(stepTypeNames);
    expect(stepDef['allOf']).toHaveLength(stepTypeNames.length);
  });
});
