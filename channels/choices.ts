// How choices read where a channel has no buttons: a numbered list in text, a keypad menu on
// the phone. The answer reader accepts the number, the label or the value, so these match it.
import type { Phrasebook } from '../src/runtime/phrasebook.js';
import type { Choice, Prompt } from '../src/runtime/turn.js';

export function numberedList(prompt: Prompt): string {
  if (prompt.choices === undefined || prompt.choices.length === 0) return prompt.text;
  return [prompt.text, ...prompt.choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n');
}

// Authors often say it themselves ("…then press pound", "…y pulsa almohadilla"): say it once.
const saysPound = /pound|hash|almohadilla|numeral|#/i;

/** What the phone says: "Press 1 for Balance. Press 2 for Cards." (or yes/no), in the conversation's words. */
export function keypadMenu(prompt: Prompt, words: Phrasebook): string {
  const spoken = prompt.say ?? prompt.text;
  if (prompt.input === 'yesno') return `${spoken} ${words.say('keypadYesNo')}`;
  if (prompt.choices === undefined || prompt.choices.length === 0) {
    const needsHint = (prompt.keypad || prompt.input === 'digits') && prompt.numDigits === undefined && !saysPound.test(spoken);
    return needsHint ? `${spoken} ${words.say('keypadPound')}` : spoken;
  }
  return [spoken, ...prompt.choices.map((c, i) => words.say('keypadChoice', { number: i + 1, label: c.label }))].join(' ');
}

/** The buttons of a question: its choices, or Yes and No (in the conversation's words) for a yes/no question. */
export function buttonChoices(prompt: Prompt, words: Phrasebook): Choice[] {
  if (prompt.choices !== undefined) return prompt.choices;
  return prompt.input === 'yesno' ? [{ label: words.say('yes'), value: 'yes' }, { label: words.say('no'), value: 'no' }] : [];
}
