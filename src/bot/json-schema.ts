// The JSON Schema of bot files, for editors: a bot that names it in "$schema" gets completion
// and checks as it is typed. Derived from the zod schema, so the two cannot drift apart.
import { z } from 'zod';
import { botFile } from './schema.js';

export const botSchemaId = 'urn:parley:bot-file:1';

/** The JSON Schema of bot files (format 1), as the CLI's `schema` prints it. */
export function botJsonSchema(): Record<string, unknown> {
  // 'input': what an author writes, so keys with defaults are optional.
  const schema = z.toJSONSchema(botFile, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema: schema['$schema'],
    $id: botSchemaId,
    title: 'Parley bot file',
    description: 'A Parley bot (format 1): its scripts, steps, triggers, settings and auth token definitions.',
    ...schema,
  };
}
