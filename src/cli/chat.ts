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
import type { ChannelId, ReplyAddress, TurnOutput, User } from '../runtime/turn.js';
import { isLinkMode } from '../bot/schema.js';
import { silentLog } from '../runtime/log.js';
import { openStore } from '../stores/open-store.js';
import { networkOutbound } from '../http/outbound.js';
import { callLog } from './call-log.js';
import { chatMailer } from './chat-mailer.js';
import { consoleLog } from './console-log.js';
import { startRecording } from '../testing/record.js';
import { startExampleServices } from './example-services.js';
import { serveSignInPages, SignInPagesError, type SignInPages } from './sign-in-pages.js';

export interface ChatOptions {
  channel: ChannelId;
  user?: string;
  /** Start the demo services (scripts/' example bots call them) and let calls reach them. */
  demoServices?: boolean;
  /** Keep standard error free of the calls the bot makes and the engine's warnings. */
  quiet?: boolean;
  /** Write the conversation, when it ends, as a test file here (`--record`). */
  record?: string;
}

export async function chat(bot: Bot, options: ChatOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = readSettings(env);
  const example = options.demoServices === true ? await startExampleServices() : undefined;
  const opened = await openStore(settings, { warn: (message) => process.stderr.write(`warning: ${message}\n`) });
  const allowPrivate = example?.allowPrivateNetworks ?? settings.allowPrivateNetworks;
  // The author sees every call and every warning on standard error, unless asked not to.
  const toAuthor = (text: string) => void process.stderr.write(text);
  const phoneLike = options.channel === 'sms' || options.channel === 'whatsapp' || options.channel === 'phone';
  const userId = options.user ?? (phoneLike ? '+15550100001' : 'console-user');
  // `--record` keeps each call and its answer (src/testing/record.ts); the call log shows them.
  const recording = options.record === undefined ? undefined : startRecording({ bot, channel: options.channel, user: userId, secrets: settings.botSecrets, now: Date.now() });
  const network = recording === undefined ? networkOutbound({ allowPrivate }) : recording.outbound(networkOutbound({ allowPrivate }));
  const authorLog = options.quiet === true ? undefined : consoleLog(toAuthor);
  const diagnostics = authorLog === undefined ? { outbound: network } : { outbound: callLog(network, { bot, allowPrivate, write: toAuthor }), log: authorLog };
  let pagesUrl = settings.publicUrl ?? 'http://127.0.0.1';
  const engine = createEngine({
    bot,
    store: opened.store,
    secrets: settings.botSecrets,
    allowPrivateNetworks: allowPrivate,
    mailer: chatMailer(settings, (text) => void process.stderr.write(text)),
    ...diagnostics,
    ...(opened.cipher === undefined ? {} : { cipher: opened.cipher }),
    publicUrl: () => pagesUrl,
  });
  // A bot that signs in by link sends the user to a page and back to Parley's: serve those here.
  let pages: SignInPages | undefined;
  if (Object.values(bot.authTokens).some(isLinkMode)) {
    try {
      pages = await serveSignInPages(engine, { publicUrl: settings.publicUrl, port: settings.port, log: authorLog ?? silentLog });
    } catch (error) {
      if (!(error instanceof SignInPagesError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
      await opened.store.close();
      await example?.services?.close();
      return;
    }
    pagesUrl = pages.url;
    if (options.quiet !== true) toAuthor(`sign-in pages at ${pages.url}/auth/callback: open the link the bot sends in a browser on this machine\n`);
  }
  const interactive = process.stdin.isTTY === true;
  const user: User = phoneLike ? { id: userId, channel: options.channel, via: 'console', phone: userId } : { id: userId, channel: options.channel, via: 'console' };
  let call = 0;
  const conversation = () => (options.channel === 'phone' ? `phone:console-call-${call}` : `${options.channel}:${userId}`);
  // The console is where this user is reached when no message started the turn: a sign-in
  // link finished in the browser (verifyCode false), a caller's link "by text message".
  const address: ReplyAddress = { kind: 'console', channel: options.channel };

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

  engine.senders.set('console', async (_address, turn) => {
    if (options.channel !== 'phone') return show(turn);
    // A caller gets texts, not speech.
    for (const line of previewLines(turn, 'sms')) process.stdout.write(`${interactive ? 'bot> ' : ''}(text message) ${line}\n`);
  });

  if (interactive) process.stdout.write(`Talking to "${bot.name}" as ${options.channel} user ${userId}. Ctrl-D to quit.\n`);
  // On the phone the bot speaks first when the call connects; after a hang-up, the next line
  // dials again.
  let callOpen = false;
  const dial = async () => {
    callOpen = true;
    const rang = await runTurn(engine, { user, conversation: conversation(), address });
    recording?.turn(undefined, rang);
    show(rang);
  };
  if (options.channel === 'phone') await dial();
  else if (interactive) process.stdout.write('you> ');

  for await (const text of lines) {
    if (muted) process.stdout.write('\n');
    if (options.channel === 'phone' && !callOpen) {
      call += 1;
      await dial();
    }
    const turn = await runTurn(engine, { user, conversation: conversation(), input: { text, keypad: options.channel === 'phone' }, address });
    recording?.turn(text, turn);
    show(turn);
    if (turn.ended && options.channel === 'phone') callOpen = false;
  }
  if (interactive) process.stdout.write('\n');
  await pages?.close();
  if (recording?.empty === true) process.stderr.write(`nothing was said, so nothing was recorded: ${options.record} was not written\n`);
  else if (recording !== undefined && options.record !== undefined) {
    try {
      await recording.save(options.record);
      const placeholders = recording.placeholders();
      const note = placeholders.length === 0 ? '' : `; secrets and tokens are written as placeholders (${placeholders.join(', ')})`;
      process.stderr.write(`recorded the conversation as a test: ${options.record}${note}; play it with \`parley test ${options.record}\`\n`);
    } catch (error) {
      process.stderr.write(`${options.record}: the recording could not be written (${(error as NodeJS.ErrnoException).code ?? String(error)}): check the folder exists and can be written\n`);
      process.exitCode = 1;
    }
  }
  await opened.store.close();
  await example?.services?.close();
}
