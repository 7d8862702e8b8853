// The one executable: chat, serve, validate, schema, test, graph, studio, admin and the demo (shared/spec/server.md).
// Each command loads what it needs when it runs (`import()` in its action): `validate` starts
// without the server, the SDKs or the console.
import { Argument, Command, InvalidArgumentError } from 'commander';
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
  .option('--quiet', 'do not show the calls the bot makes, why they failed, or warnings, on standard error')
  .option('--record <file>', 'when the conversation ends, write it as a test file (services\' answers as stand-ins, secrets as placeholders)')
  .action(async (botPath: string, options: { channel: ChannelId; user?: string; demoServices?: boolean; quiet?: boolean; record?: string }) => {
    // The console prints the mail it cannot send (no SMTP_URL), so an email sign-in works here.
    const bot = await loadOrExit(botPath, { canMail: true });
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
  .option('--write <dir>', 'write it as DIR/bot.schema.json instead, for bots in that folder to name')
  .action(async (options: { write?: string }) => {
    const { botSchemaText, writeBotSchema } = await import('./write-schema.js');
    process.stdout.write(options.write === undefined ? botSchemaText() : await writeBotSchema(options.write));
  });

program
  .command('test')
  .description('play conversation tests (*.test.json) offline; exit 1 when one fails, 2 when a file or its bot is invalid')
  .argument('[paths...]', 'test files, or folders to search for *.test.json (default: the current folder)')
  .option('--coverage', 'print, per bot, the steps and ways out the tests reached, and where the others are')
  .option('--min-coverage <percent>', 'fail unless every bot has this percentage of steps and of ways out reached', parsePercent)
  .option('--json', 'print the results as JSON, for CI tools')
  .action(async (paths: string[], options: { coverage?: boolean; minCoverage?: number; json?: boolean }) => {
    const { test } = await import('./test.js');
    await test(paths, options);
  });

program
  .command('graph')
  .description("print a bot's flow as a diagram: every script, step and way out")
  .argument('<bot>', 'the bot file')
  .option('--format <format>', 'mermaid (text for Markdown) or svg', parseGraphFormat, 'mermaid' as const)
  .action(async (botPath: string, options: { format: 'mermaid' | 'svg' }) => {
    const bot = await loadOrExit(botPath);
    const { graph } = await import('./graph.js');
    process.stdout.write(await graph(bot, options.format));
  });

program
  .command('studio')
  .description('the authoring page in the browser: chat as any channel, watch the flow and the state, reload on save')
  .argument('<bot>', 'the bot file')
  .option('--port <port>', 'the port on 127.0.0.1 (default 4000; 0: any free port)', parsePort)
  .option('--tests <dir>', 'offer the stand-ins of the conversation tests in DIR that play this bot, instead of the real services')
  .option('--channel <channel>', `the channel to start on: one of ${channelIds.join(', ')}`, parseChannel)
  .option('--demo-services', 'start the demo auth service and API on 127.0.0.1:4010 (the example bots call them)')
  .option('--quiet', 'do not also write the calls and warnings on standard error')
  .action(async (botPath: string, options: { port?: number; tests?: string; channel?: ChannelId; demoServices?: boolean; quiet?: boolean }) => {
    const { studio } = await import('./studio.js');
    await studio(botPath, options);
  });

program
  .command('demo')
  .description('play the demo: sign in, call an API with the token, and ask nothing the next time')
  .action(async () => {
    const { demo } = await import('./demo.js');
    await demo();
  });

program
  .command('admin')
  .description("an operator's work on one user, straight on the store (REDIS_URL): show what is kept, reset (end the conversations) or erase everything")
  .addArgument(new Argument('<action>', 'show, reset or erase').choices(['show', 'reset', 'erase']))
  .requiredOption('--channel <channel>', `one of ${channelIds.join(', ')}`, parseChannel)
  .requiredOption('--user <id>', 'the phone number on sms, whatsapp and phone; the platform id on messenger and web')
  .action(async (action: 'show' | 'reset' | 'erase', options: { channel: ChannelId; user: string }) => {
    const { admin } = await import('./admin.js');
    process.exitCode = await admin(action, options);
  });

function parseChannel(value: string): ChannelId {
  if (!(channelIds as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose one of ${channelIds.join(', ')}`);
  return value as ChannelId;
}

function parseGraphFormat(value: string): 'mermaid' | 'svg' {
  if (value !== 'mermaid' && value !== 'svg') throw new InvalidArgumentError('choose mermaid or svg');
  return value;
}

function parsePercent(value: string): number {
  const percent = Number(value);
  if (value.trim() === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) throw new InvalidArgumentError('a percentage is a number from 0 to 100');
  return percent;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

await program.parseAsync(process.argv);
