// `parley serve BOT`: the HTTP server, until SIGINT or SIGTERM.
import { readSettings } from '../config.js';
import { startServer } from '../server/start-server.js';
import { startExampleServices } from './example-services.js';
import { loadOrExit } from './load-or-exit.js';

export interface ServeOptions {
  port?: number;
  /** Start the demo services and let the bot's calls reach them (development only). */
  demoServices?: boolean;
}

export async function serve(botFile: string, options: ServeOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const bot = await loadOrExit(botFile, { canMail: readSettings(env).smtpUrl !== undefined });
  const example = options.demoServices === true ? await startExampleServices() : undefined;
  const server = await startServer({
    botFile,
    env,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(example && { allowPrivateNetworks: example.allowPrivateNetworks }),
  });
  process.stdout.write(`Parley serves "${bot.name}" at ${server.url}\n`);
  const stop = async () => {
    await server.close();
    await example?.services?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
