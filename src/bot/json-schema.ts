// The JSON Schema of bot files, for editors: a bot that names it in "$schema" gets completion,
// a description of every key on hover and checks as it is typed. Derived from the zod schema
// (its descriptions, examples and defaults included), so the two cannot drift apart.
import * as z from 'zod';
import { authTokenDefinition, botFile, step } from './schema.js';

/** Where a Parley server serves the schema (GET), for "$schema" in bots anywhere. */
export const botSchemaRoute = '/schema/bot.schema.json';

/** The file name `parley schema --write DIR` writes, and editors' settings name. */
export const botSchemaFileName = 'bot.schema.json';

export interface BotJsonSchemaOptions {
  /**
   * The schema's `$id`: the URL it is served at. A copy on disk has none, so an editor takes
   * the place it read it from as its identity, wherever the copy was written.
   */
  id?: string;
}

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of bot files (format 1, draft 2020-12), as the CLI's `schema` prints it. */
export function botJsonSchema(options: BotJsonSchemaOptions = {}): JsonSchema {
  const generated = z.toJSONSchema(botFile, {
    // 'input': what an author writes, so keys with defaults are optional.
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === step) dispatchOnType(jsonSchema as JsonSchema);
      if (zodSchema === authTokenDefinition) dispatchOnMode(jsonSchema as JsonSchema);
    },
  }) as JsonSchema;
  const { $schema, title, description, ...rest } = generated;
  return { $schema, ...(options.id === undefined ? {} : { $id: options.id }), title, description, ...nameAnonymousDefinitions(rest) };
}

/**
 * Steps as a `oneOf` of nine kinds make an editor try every kind and report why each failed:
 * one unknown key in a step came out as 32 errors. Dispatching on `type` with `if`/`then`
 * checks a step against its own kind only, so one mistake is one error; an unknown type is
 * one error on `type` itself.
 */
function dispatchOnType(jsonSchema: JsonSchema): void {
  const kinds = step.options.map((option) => option.shape.type.value);
  const refs = jsonSchema['oneOf'];
  if (!Array.isArray(refs) || refs.length !== kinds.length) throw new Error('the step union no longer has one schema per step type');
  delete jsonSchema['oneOf'];
  Object.assign(jsonSchema, {
    type: 'object',
    required: ['type'],
    properties: {
      type: { type: 'string', enum: kinds, description: `What the step does: ${kinds.join(', ')}.` },
    },
    allOf: kinds.map((kind, index) => ({
      if: { properties: { type: { const: kind } }, required: ['type'] },
      then: refs[index] as JsonSchema,
    })),
  });
}

/**
 * Auth Token definitions the same way, on `mode`; a definition without one signs in by
 * questions (`credentials`), as the loader reads it.
 */
function dispatchOnMode(jsonSchema: JsonSchema): void {
  // In the order of the union's options.
  const modes = ['credentials', 'oauth', 'web', 'email'];
  if (authTokenDefinition.options.length !== modes.length) throw new Error('name every sign-in mode here, in the union\'s order');
  const refs = jsonSchema['oneOf'];
  if (!Array.isArray(refs) || refs.length !== modes.length) throw new Error('the auth token definition union no longer has one schema per mode');
  delete jsonSchema['oneOf'];
  Object.assign(jsonSchema, {
    type: 'object',
    properties: {
      mode: { type: 'string', enum: modes, default: 'credentials', description: `How the user signs in: ${modes.join(', ')}.` },
    },
    allOf: modes.map((mode, index) => ({
      // No `required` for credentials: a definition without "mode" is one (an unknown mode is the enum's one error).
      if: mode === 'credentials' ? { properties: { mode: { const: mode } } } : { properties: { mode: { const: mode } }, required: ['mode'] },
      then: refs[index] as JsonSchema,
    })),
  });
}

/**
 * zod names a recursive schema `__schemaN` and puts a named one that holds it (the JSON value
 * of a request body) in front of it as a bare `$ref`. The named definition takes the body, so
 * every definition an author may meet in an editor's message has a real name.
 */
function nameAnonymousDefinitions(schema: JsonSchema): JsonSchema {
  const defs = { ...(schema['$defs'] as Record<string, JsonSchema> | undefined) };
  const renamed = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    const ref = def['$ref'];
    const anonymous = typeof ref === 'string' ? /^#\/\$defs\/(__schema\d+)$/.exec(ref)?.[1] : undefined;
    if (anonymous === undefined || name.startsWith('__schema') || renamed.has(anonymous)) continue;
    const { $ref: _ref, ...own } = def;
    defs[name] = { ...defs[anonymous], ...own };
    delete defs[anonymous];
    renamed.set(anonymous, name);
  }
  if (renamed.size === 0) return schema;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        const target = key === '$ref' && typeof inner === 'string' ? /^#\/\$defs\/(__schema\d+)$/.exec(inner)?.[1] : undefined;
        const name = target === undefined ? undefined : renamed.get(target);
        return [key, name === undefined ? rewrite(inner) : `#/$defs/${name}`];
      }),
    );
  };
  return rewrite({ ...schema, $defs: defs }) as JsonSchema;
}
