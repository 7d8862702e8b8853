// Conversation tests read as transcripts: lines starting with "> " are what the user sends,
// every other line is what the bot answers, rendered as the channel shows it.
import { expect } from 'vitest';
import { previewLines } from '../../channels/preview.js';
import { indexBot, type Bot } from '../../src/bot/bot.js';
import { botFile } from '../../src/bot/schema.js';
import { runTurn } from '../../src/runtime/run-turn.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { Authority, ChannelId, TurnOutput, User } from '../../src/runtime/turn.js';

export interface TestChat {
  /** The user sends a message; the bot's lines come back. */
  send(text: string, choice?: string): Promise<string[]>;
  /** The conversation starts without user text (a call rings). */
  start(): Promise<string[]>;
  last?: TurnOutput;
}

// The platform that vouches for users of each channel in these tests.
const authorityOf: Record<ChannelId, Authority> = { sms: 'twilio', whatsapp: 'twilio', phone: 'twilio', messenger: 'meta', web: 'botframework' };

export function chatWith(engine: Engine, options: { channel?: ChannelId; user?: string; conversation?: string; via?: Authority } = {}): TestChat {
  const channel = options.channel ?? 'sms';
  const userId = options.user ?? '+15550100001';
  const conversation = options.conversation ?? `${channel}:${userId}`;
  const via = options.via ?? authorityOf[channel];
  const user: User = channel === 'sms' || channel === 'whatsapp' || channel === 'phone' ? { id: userId, channel, via, phone: userId } : { id: userId, channel, via };
  const chat: TestChat = {
    async send(text, choice) {
      const input = choice === undefined ? { text, keypad: channel === 'phone' } : { text, choice };
      const output = await runTurn(engine, { user, conversation, input });
      chat.last = output;
      return previewLines(output, channel).flatMap((line) => line.split('\n'));
    },
    async start() {
      const output = await runTurn(engine, { user, conversation });
      chat.last = output;
      return previewLines(output, channel).flatMap((line) => line.split('\n'));
    },
  };
  return chat;
}

/** Plays a transcript and asserts the bot said exactly its lines, showing a diff otherwise. */
export async function play(chat: TestChat, transcript: string): Promise<void> {
  const expected = transcript
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const actual: string[] = [];
  if (expected[0] !== undefined && !expected[0].startsWith('> ')) actual.push(...(await chat.start()));
  for (const line of expected) {
    if (!line.startsWith('> ')) continue;
    actual.push(line, ...(await chat.send(line.slice(2))));
  }
  expect(actual.join('\n')).toBe(expected.join('\n'));
}

/** A bot from an object, checked by the schema (graph checks are the loader's, tested apart). */
export function botOf(file: unknown, source = 'test-bot.json'): Bot {
  return indexBot(botFile.parse(file), source);
}
