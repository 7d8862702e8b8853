// A turn as a user of each channel would read (or hear) it, as lines of text: for the
// console's `chat`, the demo and the conversation tests.
import { builtInWords, type Words } from '../src/runtime/phrasebook.js';
import type { ChannelId, TurnOutput } from '../src/runtime/turn.js';
import { keypadMenu, numberedList } from './choices.js';

/** `words`: the bot's (botWords); Parley's built-in words in the conversation's language otherwise. */
export function previewLines(output: TurnOutput, channel: ChannelId, words: Words = builtInWords): string[] {
  const lines: string[] = [];
  for (const reply of output.replies) lines.push(channel === 'phone' ? (reply.say ?? reply.text) : reply.text);
  const prompt = output.prompt;
  if (prompt !== undefined) {
    const choices = prompt.choices ?? [];
    switch (channel) {
      case 'phone':
        lines.push(keypadMenu(prompt, words(output.language)));
        break;
      case 'sms':
        lines.push(numberedList(prompt));
        break;
      case 'whatsapp':
      case 'messenger':
      case 'web':
        // Buttons, quick replies and suggested actions show as [Label].
        lines.push(choices.length === 0 ? prompt.text : `${prompt.text} ${choices.map((c) => `[${c.label}]`).join(' ')}`);
        break;
    }
  }
  if (output.ended && channel === 'phone') lines.push('(the call ends)');
  return lines;
}
