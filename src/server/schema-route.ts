// GET /schema/bot.schema.json: the editor's JSON Schema, served by the server itself, so a bot
// in any folder (or any machine) can name one stable URL in "$schema".
import type { RequestHandler } from 'express';
import { botJsonSchema, botSchemaRoute } from '../bot/json-schema.js';

export { botSchemaRoute };

/** `base` is PUBLIC_URL without its trailing slash: the schema's `$id` is the URL it is read at. */
export function botSchemaHandler(base: () => string): RequestHandler {
  // Built once per base URL, not per request: the schema only changes with the code.
  let cached: { base: string; body: string } | undefined;
  return (_req, res) => {
    const at = base();
    if (cached?.base !== at) cached = { base: at, body: JSON.stringify(botJsonSchema({ id: `${at}${botSchemaRoute}` }), null, 2) };
    res.type('application/schema+json').set('cache-control', 'public, max-age=300').send(cached.body);
  };
}
