// Reading a user's answer to a question: what each input type accepts and what it saves.
import type { StepOf } from '../bot/schema.js';
import type { JsonValue } from '../json.js';
import type { UserInput } from './turn.js';
import { regex } from './patterns.js';

export type Answer = { ok: true; value: JsonValue; goto?: string } | { ok: false };

const yes = new Set(['yes', 'y', 'yeah', 'yep', 'sure', 'ok', 'okay', 'true', 'si', 'sí', 'oui', 'ja', '1']);
const no = new Set(['no', 'n', 'nope', 'nah', 'false', 'non', 'nein', '2']);
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the `email` input type accepts (and an email sign-in, before its own stricter checks). */
export function isEmailAddress(text: string): boolean {
  return email.test(text);
}

/** Digits as typed on a keypad or in a chat: spaces and dashes dropped, a final `#` too. */
export function keyedDigits(text: string): string | undefined {
  const digits = text.trim().replace(/#$/, '').replace(/[\s-]/g, '');
  return /^\d+$/.test(digits) ? digits : undefined;
}

export function readAnswer(step: StepOf<'question'>, input: UserInput): Answer {
  const text = input.text.trim();

  switch (step.input) {
    case 'text':
      return text === '' ? { ok: false } : accept(step, text);
    case 'number': {
      const n = /^[-+]?\d+([.,]\d+)?$/.test(text) ? Number(text.replace(',', '.')) : NaN;
      return Number.isFinite(n) ? accept(step, n) : { ok: false };
    }
    case 'digits': {
      const digits = keyedDigits(text);
      if (digits === undefined || (step.numDigits !== undefined && digits.length !== step.numDigits)) return { ok: false };
      return accept(step, digits);
    }
    case 'email':
      return isEmailAddress(text) ? accept(step, text) : { ok: false };
    case 'phone': {
      const compact = text.replace(/[\s().-]/g, '');
      return /^\+?\d{7,15}$/.test(compact) ? accept(step, compact) : { ok: false };
    }
    case 'yesno': {
      const word = text.toLowerCase().replace(/[.!]+$/, '');
      if (yes.has(word)) return accept(step, true);
      if (no.has(word)) return accept(step, false);
      return { ok: false };
    }
    case 'choice': {
      const options = step.options ?? [];
      const byNumber = /^\d+$/.test(text) ? options[Number(text) - 1] : undefined;
      const lower = text.toLowerCase();
      const picked =
        (input.choice !== undefined ? options.find((o) => o.value === input.choice) : undefined) ??
        byNumber ??
        options.find((o) => o.value.toLowerCase() === lower || o.label.toLowerCase() === lower);
      return picked === undefined ? { ok: false } : accept(step, picked.value, picked.goto);
    }
  }
}

/** An answer of the right type, still held to the question's `pattern`. */
function accept(step: StepOf<'question'>, value: JsonValue, goto?: string): Answer {
  if (step.pattern !== undefined && !regex(step.pattern).test(String(value))) return { ok: false };
  return goto === undefined ? { ok: true, value } : { ok: true, value, goto };
}
