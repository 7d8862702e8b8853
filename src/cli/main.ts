// The one executable: chat, serve, validate, schema and the demo (shared/spec/server.md).
// Each command loads what it needs when it runs (`import()` in its action): `validate` starts
// without the server, the SDKs or the console.
import { Command, InvalidArgumentError } from 'commander';
import { loadBotFile } from '../bot/load.js';
import { formatProblem } from '../bot/problems.js';
import { channelIds, type ChannelId } from '../runtime/turn.js';
import { botPaths } from './bot-paths.js';
import { loadOrExit } from './load-or-exit.js';

// A reader that stops early (`parley chat … | head -1`) closes our standard output: that ends
// the command quietly, as it does for any Unix tool, rather than with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const program = new Command('parley').description('Parley: a chatbot conversation engine').showHelpAfterError();

program
  .command('chat')
  .description('talk to a bot in the terminal, as a user of a channel would')
  .argument('<bot>', 'the bot file')
  .option('--channel <channel>', `one of ${channelIds.join(', ')}`, parseChannel, 'sms' as ChannelId)
  .option('--user <id>', 'the user id (a phone number on sms, whatsapp and phone)')
  .option('--demo-services', `start the demo auth service and API on 127.0.0.1:4010 (the example bots call them) and let calls reach loopback`)
  .action(async (botPath: string, options: { channel: ChannelId; user?: string; demoServices?: boolean }) => {
    const bot = await loadOrExit(botPath);
    const { chat } = await import('./chat.js');
    await chat(bot, options);
  });

program
  .command('serve')
  .description('serve a bot to Twilio, the Bot Framework and Meta over HTTP')
  .argument('[bot]', 'the bot file, or a folder of bots (default: BOT_DIR, else BOT_FILE, else the demo bot)')
  .option('--port <port>', 'the HTTP port (default: PORT, else 3000)', parsePort)
  .option('--demo-services', 'start the demo auth service and API on 127.0.0.1:4010 and let calls reach loopback (development only)')
  .action(async (botPath: string | undefined, options: { port?: number; demoServices?: boolean }) => {
    const { serve } = await import('./serve.js');
    await serve(botPath, options);
  });

program
  .command('validate')
  .description('check bot files; exit 1 when any has an error')
  .argument('<bots...>', 'bot files, or folders of them')
  .action(async (paths: string[]) => {
    let failed = false;
    for (const { path, skip } of await botPaths(paths)) {
      if (skip !== undefined) {
        process.stdout.write(`${path}: ${skip}\n`);
        continue;
      }
      const { bot, problems } = await loadBotFile(path);
      for (const problem of problems) process.stdout.write(`${formatProblem(problem)}\n`);
      if (bot === undefined) failed = true;
      else if (problems.length === 0) process.stdout.write(`${path}: ok\n`);
    }
    process.exitCode = failed ? 1 : 0;
  });

program
  .command('schema')
  .description('print the JSON Schema of bot files (for editors, through "$schema")')
  .action(async () => {
    const { botJsonSchema } = await import('../bot/json-schema.js');
    process.stdout.write(`${JSON.stringify(botJsonSchema(), null, 2)}\n`);
  });

program
  .command('demo')
  .description('play the demo: sign in, call an API with the token, and ask nothing the next time')
  .action(async () => {
    const { demo } = await import('./demo.js');
    await demo();
  });

function parseChannel(value: string): ChannelId {
  if (!(channelIds as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose one of ${channelIds.join(', ')}`);
  return value as ChannelId;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

await program.parseAsync(process.argv);
