// What the bot says on its own, when the author gave no text of theirs: in the chat (a wrong
// answer, a refused sign-in, trouble on our side) and on the channels (the phone's keypad menu,
// button labels). Every phrase has a name an author can override in `settings.phrases`, and
// built-in words in English and Spanish; the phrasebook (phrasebook.ts) picks them per
// conversation. A phrase fills only the placeholders listed in `phraseParameters`.
import type { InputType } from '../bot/schema.js';

const english = {
  invalidText: "Sorry, I didn't get that.",
  invalidNumber: 'Please answer with a number.',
  invalidDigits: 'Please answer with digits only.',
  invalidEmail: 'Please answer with an email address, like name@example.com.',
  invalidPhone: 'Please answer with a phone number, like +1 555 010 0000.',
  invalidYesno: 'Please answer yes or no.',
  invalidChoice: 'Please pick one of the options.',
  tooManyTries: "Sorry, I couldn't understand your answer. Let's stop here for now.",
  signInGaveUp: "Sorry, I couldn't sign you in.",
  signInAgain: 'Please sign in again.',
  signInRefused: "Sorry, those details weren't accepted. Let's try again.",
  signInUnavailable: "Sorry, I couldn't check your details just now. Let's try again.",
  signInThrottledSeconds: 'Too many attempts. Please wait {seconds} seconds and try again.',
  signInThrottledMinutes: 'Too many attempts. Please wait {minutes} minutes and try again.',
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
  /** The caller keys the code and cannot ask for another link from the keypad. */
  linkReminderSay: 'Please open the link in the text message I sent you and sign in, then enter the 6-digit code the page shows.',
  /** With verifyCode false there is no code to type: the chat goes on by itself. */
  linkReminderNoCode: 'Please open the link I sent you to sign in; we will carry on here once you have. Say "again" for a new link.',
  linkNotYet: "That code doesn't match: open the link and sign in first, then type the code the page shows.",
  linkWrongCode: "That code doesn't match. Please check the page and try again.",
  linkExpired: 'The sign-in link has expired.',
  emailNotByPhone: "Sorry, signing in by email isn't possible on a call. Please send us a message by SMS, WhatsApp or Messenger instead.",
  emailSent: 'I have sent a sign-in link to {to}. Open it and press the button on its page.',
  emailCode: 'Then type here the 6-digit code the page shows you.',
  emailWaiting: 'Once you have pressed the button on the page, we will carry on here.',
  emailReminder: 'Please open the link in the mail I sent you and press the button on its page, then type here the code it shows. Say "again" to get a new mail, or to use another address.',
  emailNotYet: "That code doesn't match: open the link in the mail and press its button first, then type the code the page shows.",
  emailUndeliverable: "Sorry, I couldn't send a mail to that address. Please check it and type it again.",
  emailFlooded: 'Sorry, too many sign-in mails were sent in the last hour. Please try again in {minutes} minutes.',
  serviceFailed: "Sorry, that didn't work. Please try again later.",
  runaway: 'Sorry, something went wrong on our side. Please start again.',
  trouble: "Sorry, we're having trouble right now. Please try again in a minute.",
  interrupted: 'Sorry, we were interrupted. Please send that again.',
  restarted: 'Sorry, we lost track of our conversation, so we are starting over.',
  botChanged: 'Sorry, this conversation was updated while we were talking, so we are starting over.',
  yes: 'Yes',
  no: 'No',
  listButton: 'Choose',
  keypadChoice: 'Press {number} for {label}.',
  keypadYesNo: 'Press 1 for yes, 2 for no.',
  keypadPound: 'Then press the pound key.',
  holdOn: 'One moment please.',
  tooSlow: 'Sorry, this is taking too long. Please call again later.',
};

export type PhraseName = keyof typeof english;
export type PhraseSet = Readonly<Record<PhraseName, string>>;

export const phraseNames = Object.keys(english) as PhraseName[];

/** The placeholders a phrase fills; any other `{name}` in an override is refused at load. */
export const phraseParameters: Readonly<Partial<Record<PhraseName, readonly string[]>>> = {
  signInThrottledSeconds: ['seconds'],
  signInThrottledMinutes: ['minutes'],
  keypadChoice: ['number', 'label'],
  emailSent: ['to'],
  emailFlooded: ['minutes'],
};

// Neutral Spanish, understood from Spain to the Americas ("pulsa", not "presiona" or "oprima").
const spanish: PhraseSet = {
  invalidText: 'Lo siento, no te he entendido.',
  invalidNumber: 'Responde con un número, por favor.',
  invalidDigits: 'Responde solo con dígitos, por favor.',
  invalidEmail: 'Responde con una dirección de correo electrónico, como nombre@ejemplo.com.',
  invalidPhone: 'Responde con un número de teléfono, como +34 612 345 678.',
  invalidYesno: 'Responde sí o no, por favor.',
  invalidChoice: 'Elige una de las opciones, por favor.',
  tooManyTries: 'Lo siento, no he entendido tu respuesta. Lo dejamos aquí por ahora.',
  signInGaveUp: 'Lo siento, no he podido iniciar tu sesión.',
  signInAgain: 'Vuelve a iniciar sesión, por favor.',
  signInRefused: 'Lo siento, esos datos no son válidos. Probemos otra vez.',
  signInUnavailable: 'Lo siento, ahora mismo no puedo comprobar tus datos. Probemos otra vez.',
  signInThrottledSeconds: 'Demasiados intentos. Espera {seconds} segundos y vuelve a intentarlo.',
  signInThrottledMinutes: 'Demasiados intentos. Espera {minutes} minutos y vuelve a intentarlo.',
  signInNotHere: 'El inicio de sesión no está disponible en este chat. Usa nuestra app, SMS, WhatsApp o Messenger, o llámanos.',
  digitsOnly: 'Introduce solo dígitos, por favor.',
  whichAccount: '¿Con qué cuenta?',
  anotherAccount: 'Otra cuenta',
  linkCode: 'Cuando hayas iniciado sesión, escribe aquí el código de 6 cifras que te muestra la página.',
  linkCodeSay: 'Cuando hayas iniciado sesión, marca el código de 6 cifras que te muestra la página.',
  linkWaiting: 'Cuando hayas iniciado sesión allí, seguimos aquí.',
  linkTexted: 'Te he enviado un SMS con un enlace para iniciar sesión.',
  linkNotTexted: 'Lo siento, no he podido enviarte el enlace por SMS.',
  linkReminder: 'Abre el enlace que te he enviado para iniciar sesión y escribe aquí el código que te muestra. Escribe "otra vez" para recibir un enlace nuevo.',
  linkReminderSay: 'Abre el enlace del SMS que te he enviado e inicia sesión; luego marca el código de 6 cifras que te muestra la página.',
  linkReminderNoCode: 'Abre el enlace que te he enviado para iniciar sesión; seguimos aquí cuando lo hayas hecho. Escribe "otra vez" para recibir un enlace nuevo.',
  linkNotYet: 'Ese código no coincide: abre el enlace e inicia sesión primero, y luego escribe el código que te muestra la página.',
  linkWrongCode: 'Ese código no coincide. Revisa la página e inténtalo de nuevo.',
  linkExpired: 'El enlace para iniciar sesión ha caducado.',
  emailNotByPhone: 'Lo siento, no es posible iniciar sesión por correo electrónico en una llamada. Escríbenos por SMS, WhatsApp o Messenger.',
  emailSent: 'He enviado un enlace para iniciar sesión a {to}. Ábrelo y pulsa el botón de su página.',
  emailCode: 'Después escribe aquí el código de 6 cifras que te muestra la página.',
  emailWaiting: 'Cuando hayas pulsado el botón de la página, seguimos aquí.',
  emailReminder: 'Abre el enlace del correo que te he enviado y pulsa el botón de su página; luego escribe aquí el código que te muestra. Escribe "otra vez" para recibir otro correo o usar otra dirección.',
  emailNotYet: 'Ese código no coincide: abre el enlace del correo y pulsa su botón primero, y luego escribe el código que te muestra la página.',
  emailUndeliverable: 'Lo siento, no he podido enviar un correo a esa dirección. Revísala y escríbela otra vez.',
  emailFlooded: 'Lo siento, se han enviado demasiados correos de inicio de sesión en la última hora. Inténtalo de nuevo dentro de {minutes} minutos.',
  serviceFailed: 'Lo siento, no ha funcionado. Inténtalo de nuevo más tarde.',
  runaway: 'Lo siento, algo ha fallado por nuestra parte. Empieza de nuevo, por favor.',
  trouble: 'Lo siento, ahora mismo tenemos problemas. Inténtalo de nuevo en un minuto.',
  interrupted: 'Lo siento, nos han interrumpido. Envíalo otra vez, por favor.',
  restarted: 'Lo siento, hemos perdido el hilo de la conversación, así que empezamos de nuevo.',
  botChanged: 'Lo siento, esta conversación se ha actualizado mientras hablábamos, así que empezamos de nuevo.',
  yes: 'Sí',
  no: 'No',
  listButton: 'Elegir',
  keypadChoice: 'Pulsa {number} para {label}.',
  keypadYesNo: 'Pulsa 1 para sí, 2 para no.',
  keypadPound: 'Después pulsa la tecla almohadilla.',
  holdOn: 'Un momento, por favor.',
  tooSlow: 'Lo siento, esto está tardando demasiado. Vuelve a llamar más tarde.',
};

/** Built-in words by primary language subtag (`es` serves `es-ES`, `es-MX`, …). */
export const builtInPhrases: Readonly<Record<string, PhraseSet>> = { en: english, es: spanish };

/** Typed to get a new sign-in link while one is pending, in any of the built-in languages. */
export const linkAgainWords: readonly string[] = ['again', 'new link', 'resend', 'link', 'otra vez', 'de nuevo', 'nuevo enlace', 'reenviar', 'enlace'];

/** The language whose words are said where a conversation's language has none built in. */
export const fallbackLanguage = 'en';

/** What a wrong answer to each input type is told. */
export const invalidAnswerPhrase: Readonly<Record<InputType, PhraseName>> = {
  text: 'invalidText',
  number: 'invalidNumber',
  digits: 'invalidDigits',
  email: 'invalidEmail',
  phone: 'invalidPhone',
  yesno: 'invalidYesno',
  choice: 'invalidChoice',
};
