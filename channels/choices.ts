// How choices read where a channel has no buttons: a numbered list in text, a keypad menu on
// the phone. The answer reader accepts the number, the label or the value, so these match it.
import type { Choice, Prompt } from '../src/runtime/turn.js';

export function numberedList(prompt: Prompt): string {
  if (prompt.choices === undefined || prompt.choices.length === 0) return prompt.text;
  return [prompt.text, ...prompt.choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n');
}

/** What the phone says: "Press 1 for Balance. Press 2 for Cards." (or yes/no). */
export function keypadMenu(prompt: Prompt): string {
  const spoken = prompt.say ?? prompt.text;
  if (prompt.input === 'yesno') return `${spoken} Press 1 for yes, 2 for no.`;
  if (prompt.choices === undefined || prompt.choices.length === 0) {
    // Authors often say it themselves ("…then press pound"); say it once.
    const needsHint = (prompt.keypad || prompt.input === 'digits') && prompt.numDigits === undefined && !/pound|#/i.test(spoken);
    return needsHint ? `${spoken} Then press the pound key.` : spoken;
  }
  return [spoken, ...prompt.choices.map((c, i) => `Press ${i + 1} for ${c.label}.`)].join(' ');
}

/** The choices a channel with buttons or quick replies shows: the options, or Yes and No. */
export function tappableChoices(prompt: Prompt): Choice[] {
  if (prompt.choices !== undefined) return prompt.choices;
  return prompt.input === 'yesno' ? [{ label: 'Yes', value: 'yes' }, { label: 'No', value: 'no' }] : [];
}
