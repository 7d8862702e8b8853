// `parley schema [--write DIR]`: the editor's JSON Schema, printed or written beside the
// author's bots, so "$schema" works in any folder and not only beside the examples.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { botJsonSchema, botSchemaFileName } from '../bot/json-schema.js';

/** The schema as `parley schema` prints it and `--write` writes it (scripts/ holds a copy). */
export function botSchemaText(): string {
  return `${JSON.stringify(botJsonSchema(), null, 2)}\n`;
}

/** Writes DIR/bot.schema.json (making DIR if needed) and says how a bot there points at it. */
export async function writeBotSchema(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, botSchemaFileName);
  await writeFile(path, botSchemaText());
  const shown = relative(process.cwd(), path) || path;
  return `wrote ${shown}: a bot in ${dir} names it with "$schema": "./${botSchemaFileName}"\n`;
}
