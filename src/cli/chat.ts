// `parley chat BOT`: talk to a bot in the terminal, shown as the chosen channel shows it.
// With standard input not a terminal, each line is one user message and each bot message is
// printed on a line of its own, so authors can script conversations.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { previewLines } from '../../channels/preview.js';
import type { Bot } from '../bot/bot.js';
import { readSettings } from '../config.js';
import { createEngine } from '../create-engine.js';
import { runTurn } from '../runtime/run-turn.js';
import type { ChannelId, TurnOutput, User } from '../runtime/turn.js';
import { openStore } from '../stores/open-store.js';
import { networkOutbound } from '../http/outbound.js';
import { callLog } from './call-log.js';
import { consoleLog } from './console-log.js';
import { startExampleServices } from './example-services.js';

export interface ChatOptions {
  channel: ChannelId;
  user?: string;
  /** Start the demo services (scripts/' example bots call them) and let calls reach them. */
  demoServices?: boolean;
  /** Keep standard error free of the calls the bot makes and the engine's warnings. */
  quiet?: boolean;
}

export async function chat(bot: Bot, options: ChatOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = readSettings(env);
  const example = options.demoServices === true ? await startExampleServices() : undefined;
  const opened = await openStore(settings, { warn: (message) => process.stderr.write(`warning: ${message}\n`) });
  const allowPrivate = example?.allowPrivateNetworks ?? settings.allowPrivateNetworks;
  // The author sees every call and every warning on standard error, unless asked not to.
  const toAuthor = (text: string) => void process.stderr.write(text);
  const diagnostics = options.quiet === true ? {} : { outbound: callLog(networkOutbound({ allowPrivate }), { bot, allowPrivate, write: toAuthor }), log: consoleLog(toAuthor) };
  const engine = createEngine({
    bot,
    store: opened.store,
    secrets: settings.botSecrets,
    allowPrivateNetworks: allowPrivate,
    ...diagnostics,
    ...(opened.cipher === undefined ? {} : { cipher: opened.cipher }),
  });
  const interactive = process.stdin.isTTY === true;
  const phoneLike = options.channel === 'sms' || options.channel === 'whatsapp' || options.channel === 'phone';
  const userId = options.user ?? (phoneLike ? '+15550100001' : 'console-user');
  const user: User = phoneLike ? { id: userId, channel: options.channel, via: 'console', phone: userId } : { id: userId, channel: options.channel, via: 'console' };
  let call = 0;
  const conversation = () => (options.channel === 'phone' ? `phone:console-call-${call}` : `${options.channel}:${userId}`);

  // In a terminal, a secret answer is not echoed.
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const lines = createInterface({ input: process.stdin, output: interactive ? output : undefined, terminal: interactive });
  const show = (turn: TurnOutput) => {
    for (const line of previewLines(turn, options.channel)) process.stdout.write(interactive ? `bot> ${line.replace(/\n/g, '\nbot> ')}\n` : `${line}\n`);
    muted = interactive && turn.prompt?.secret === true;
    if (interactive) {
      process.stdout.write(muted ? 'you (hidden)> ' : 'you> ');
    }
  };

  if (interactive) process.stdout.write(`Talking to "${bot.name}" as ${options.channel} user ${userId}. Ctrl-D to quit.\n`);
  // On the phone the bot speaks first when the call connects; after a hang-up, the next line
  // dials again.
  let callOpen = false;
  const dial = async () => {
    callOpen = true;
    show(await runTurn(engine, { user, conversation: conversation() }));
  };
  if (options.channel === 'phone') await dial();
  else if (interactive) process.stdout.write('you> ');

  for await (const text of lines) {
    if (muted) process.stdout.write('\n');
    if (options.channel === 'phone' && !callOpen) {
      call += 1;
      await dial();
    }
    const turn = await runTurn(engine, { user, conversation: conversation(), input: { text, keypad: options.channel === 'phone' } });
    show(turn);
    if (turn.ended && options.channel === 'phone') callOpen = false;
  }
  if (interactive) process.stdout.write('\n');
  await opened.store.close();
  await example?.services?.close();
}
