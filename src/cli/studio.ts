// `parley studio BOT`: the authoring page, until Ctrl-C. The calls the bot makes and the
// engine's warnings also go to standard error, as in `parley chat`.
import type { ChannelId } from '../runtime/turn.js';
import { readSettings } from '../config.js';
import { startStudio, StudioError } from '../studio/start-studio.js';
import { startExampleServices } from './example-services.js';

export interface StudioCommandOptions {
  port?: number;
  tests?: string;
  channel?: ChannelId;
  demoServices?: boolean;
  quiet?: boolean;
}

export async function studio(botPath: string, options: StudioCommandOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = readSettings(env);
  const example = options.demoServices === true ? await startExampleServices() : undefined;
  let running;
  try {
    running = await startStudio({
      botPath,
      port: options.port ?? 4000,
      ...(options.tests !== undefined && { tests: options.tests }),
      ...(options.channel !== undefined && { channel: options.channel }),
      secrets: settings.botSecrets,
      write: options.quiet === true ? () => undefined : (text) => void process.stderr.write(text),
    });
  } catch (error) {
    await example?.services?.close();
    if (error instanceof StudioError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`port ${options.port ?? 4000} is taken: choose another with --port N (0 for any free port)\n`);
      process.exit(1);
    }
    throw error;
  }
  process.stdout.write(`Parley Studio: ${running.url} (editing ${botPath}; Ctrl-C to stop)\n`);
  const stop = async () => {
    await running.close();
    await example?.services?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
