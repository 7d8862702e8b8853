// What the bot says on its own, when the author gave no text of theirs. Kept in one place so
// that a translation, or an author-level override, has a single seam.
import type { InputType } from '../bot/schema.js';

export const phrases = {
  invalidAnswer: {
    text: "Sorry, I didn't get that.",
    number: 'Please answer with a number.',
    digits: 'Please answer with digits only.',
    email: 'Please answer with an email address, like name@example.com.',
    phone: 'Please answer with a phone number, like +1 555 010 0000.',
    yesno: 'Please answer yes or no.',
    choice: 'Please pick one of the options.',
  } satisfies Record<InputType, string>,
  tooManyTries: "Sorry, I couldn't understand your answer. Let's stop here for now.",
  signInGaveUp: "Sorry, I couldn't sign you in.",
  signInAgain: 'Please sign in again.',
  signInRefused: "Sorry, those details weren't accepted. Let's try again.",
  signInUnavailable: "Sorry, I couldn't check your details just now. Let's try again.",
  signInThrottled: (seconds: number) =>
    `Too many attempts. Please wait ${seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`} and try again.`,
  signInNotHere: "Sign-in isn't available in this chat. Please use our app, SMS, WhatsApp, Messenger or call us.",
  digitsOnly: 'Please enter digits only.',
  serviceFailed: "Sorry, that didn't work. Please try again later.",
  runaway: 'Sorry, something went wrong on our side. Please start again.',
  trouble: "Sorry, we're having trouble right now. Please try again in a minute.",
  interrupted: 'Sorry, we were interrupted. Please send that again.',
  restarted: 'Sorry, we lost track of our conversation, so we are starting over.',
  botChanged: 'Sorry, this conversation was updated while we were talking, so we are starting over.',
};
