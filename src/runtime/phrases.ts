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
  whichAccount: 'Which account?',
  anotherAccount: 'Another account',
  linkCode: 'Once you have signed in, type here the 6-digit code the page shows you.',
  linkCodeSay: 'Once you have signed in, enter the 6-digit code the page shows you.',
  linkWaiting: 'Once you have signed in there, we will carry on here.',
  linkTexted: 'I have sent you a text message with a link to sign in.',
  linkNotTexted: "Sorry, I couldn't send you the sign-in link by text message.",
  linkReminder: 'Please open the link I sent you to sign in, then type the code it shows here. Say "again" for a new link.',
  linkNotYet: "That code doesn't match: open the link and sign in first, then type the code the page shows.",
  linkWrongCode: "That code doesn't match. Please check the page and try again.",
  linkExpired: 'The sign-in link has expired.',
  /** Typed to get a new link while one is pending. */
  linkAgainWords: ['again', 'new link', 'resend', 'link'],
  // Sign-in by a mailed link (mode email).
  emailNotByPhone: "Sorry, signing in by email isn't possible on a call. Please send us a message by SMS, WhatsApp or Messenger instead.",
  emailSent: (to: string) => `I have sent a sign-in link to ${to}. Open it and press the button on its page.`,
  emailCode: 'Then type here the 6-digit code the page shows you.',
  emailWaiting: 'Once you have pressed the button on the page, we will carry on here.',
  emailReminder: 'Please open the link in the mail I sent you and press the button on its page, then type here the code it shows. Say "again" to get a new mail, or to use another address.',
  emailNotYet: "That code doesn't match: open the link in the mail and press its button first, then type the code the page shows.",
  emailUndeliverable: "Sorry, I couldn't send a mail to that address. Please check it and type it again.",
  emailFlooded: (seconds: number) => `Sorry, too many sign-in mails were sent in the last hour. Please try again in ${Math.max(1, Math.ceil(seconds / 60))} minutes.`,
  serviceFailed: "Sorry, that didn't work. Please try again later.",
  runaway: 'Sorry, something went wrong on our side. Please start again.',
  trouble: "Sorry, we're having trouble right now. Please try again in a minute.",
  interrupted: 'Sorry, we were interrupted. Please send that again.',
  restarted: 'Sorry, we lost track of our conversation, so we are starting over.',
};
