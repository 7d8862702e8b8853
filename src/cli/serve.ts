// `parley serve BOT`: the HTTP server, until SIGINT or SIGTERM. Everything it writes is a JSON
// log line (pino), the start-up line and a refusal to start included: a log shipper reads one
// format. Node's own warnings go through the log too.
import { statSync } from 'node:fs';
import { readSettings, SettingsError } from '../config.js';
import { createLogger } from '../server/log.js';
import { startServer } from '../server/start-server.js';
import { demoBotPath } from './demo-bot-path.js';

export interface ServeOptions {
  port?: number;
  /** Start the demo services and let the bot's calls reach them (development only). */
  demoServices?: boolean;
}

/** `bots`: a bot file or a folder of them; absent: BOT_DIR, else BOT_FILE, else the demo bot. */
export async function serve(bots: string | undefined, options: ServeOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let settings;
  try {
    settings = readSettings(env);
  } catch (error) {
    // The settings name the log level: without them, the line that says why is written at `info`.
    createLogger('info').fatal({ problems: error instanceof SettingsError ? error.message.split('\n').slice(1).map((line) => line.trim()) : undefined }, 'the settings are not valid: the server does not start');
    process.exit(1);
  }
  const cipher = settings.cipher;
  const log = createLogger(settings.logLevel, undefined, { ...(cipher && { fingerprint: (text: string) => cipher.fingerprint(text) }) });
  process.removeAllListeners('warning');
  process.on('warning', (warning) => log.warn({ type: warning.name }, warning.message));

  let server;
  let example;
  try {
    // The demo services' code loads only when asked for (development).
    example = options.demoServices === true ? await (await import('./example-services.js')).startExampleServices() : undefined;
    const target = bots ?? settings.botDir ?? settings.botFile ?? demoBotPath;
    server = await startServer({
      ...(isFolder(target) ? { botDir: target } : { botFile: target }),
      env,
      log,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(example && { allowPrivateNetworks: example.allowPrivateNetworks }),
    });
  } catch (error) {
    // The bot's problems are logged already, one line each.
    log.fatal({ err: error }, `the server does not start: ${firstLine(error)}`);
    await example?.services?.close();
    process.exit(1);
  }
  const stop = async () => {
    await server.close();
    await example?.services?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  // Reload the bot files now (they are watched too): a file that does not load is refused and
  // logged, and its last good version keeps serving.
  process.on('SIGHUP', () => void server.reload());
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The error's first line: a bot with errors says so there, its problems follow (logged already). */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
