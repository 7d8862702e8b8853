// GET /schema/bot.schema.json: the editor's schema from the server, at a URL a bot anywhere
// can name in "$schema", with that URL as its $id.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { botJsonSchema } from '../../src/bot/json-schema.js';
import { botOf } from '../support/conversation.js';
import { appsOnRedis } from './support.js';

const startApp = appsOnRedis();
const bot = botOf({ format: 1, id: 'schema-route', name: 'schema route', start: 'main', scripts: { main: { steps: [{ type: 'end', text: 'Bye.' }] } } });

describe('GET /schema/bot.schema.json', () => {
  it('serves the JSON Schema of bot files, its $id the URL it is served at', async () => {
    const app = await startApp(bot);
    const response = await fetch(`${app.url}/schema/bot.schema.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const served = (await response.json()) as Record<string, unknown>;
    expect(served['$id']).toBe(`${app.publicUrl}/schema/bot.schema.json`);
    expect(served).toEqual(botJsonSchema({ id: `${app.publicUrl}/schema/bot.schema.json` }));

    // An editor that fetched it checks a bot naming that URL as it checks one beside a copy.
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(served);
    const demo = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'scripts', 'demo.json'), 'utf8')) as Record<string, unknown>;
    expect(validate({ ...demo, $schema: served['$id'] })).toBe(true);
    expect(validate({ ...demo, colour: 'red' })).toBe(false);
  });

  it('is only read: other methods are not found', async () => {
    const app = await startApp(bot);
    const response = await fetch(`${app.url}/schema/bot.schema.json`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
