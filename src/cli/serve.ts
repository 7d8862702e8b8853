// `parley serve BOT`: the HTTP server, until SIGINT or SIGTERM.
import { startServer } from '../server/start-server.js';
import { startExampleServices } from './example-services.js';
import { loadOrExit } from './load-or-exit.js';

export async function serve(botFile: string, port: number | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const bot = await loadOrExit(botFile);
  const services = await startExampleServices(bot, env);
  const server = await startServer({ botFile, env, ...(port === undefined ? {} : { port }) });
  process.stdout.write(`Parley serves "${bot.name}" at ${server.url}\n`);
  const stop = async () => {
    await server.close();
    await services?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
