// Sending one mail: the link of an email sign-in, when Parley mails it itself. The server sends
// through SMTP_URL with nodemailer; the console prints the mail instead when there is no
// SMTP_URL; tests catch it on a real SMTP server on loopback. Effects see only this interface.
// nodemailer (and the TLS and DNS modules it loads) is imported at the first mail, not when the
// server starts: most servers never send one.
import type { Transporter } from 'nodemailer';

/** A plain-text mail to one address. */
export interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /**
   * Resolves once the mail server took the mail. Rejects with a MailRefused when the server
   * refused the address itself (a mailbox that does not exist), with a MailFailed otherwise.
   */
  send(mail: Mail): Promise<void>;
}

/** The mail server refused the recipient for good (5xx to RCPT TO): asking for the address again may help. */
export class MailRefused extends Error {
  override readonly name = 'MailRefused';
}

/**
 * The mail could not be sent (no connection, authentication refused, a time-out). The message
 * never holds the server's reply or nodemailer's, which quote the recipient's address: only
 * nodemailer's code (ECONNECTION, EAUTH, ETIMEDOUT, …), safe to log.
 */
export class MailFailed extends Error {
  override readonly name = 'MailFailed';
  constructor(readonly code: string) {
    super(`the mail could not be sent (${code})`);
  }
}

// A turn waits for the mail server: a few seconds, not nodemailer's minutes.
const connectionTimeoutMs = 5_000;
const greetingTimeoutMs = 5_000;
const socketTimeoutMs = 10_000;

/** Sends through `url` (`smtp://user:password@host:port`, `smtps://…`), one connection per mail. */
export function smtpMailer(url: string): Mailer {
  let transport: Promise<Transporter> | undefined;
  const open = () => (transport ??= import('nodemailer').then(({ createTransport }) => createTransport({ url, connectionTimeout: connectionTimeoutMs, greetingTimeout: greetingTimeoutMs, socketTimeout: socketTimeoutMs })));
  return {
    async send(mail) {
      try {
        await (await open()).sendMail({
          from: oneLine(mail.from),
          // An address object, not text: nodemailer would read "a@x.com, b@y.com" as two recipients.
          to: { name: '', address: mail.to },
          subject: oneLine(mail.subject),
          text: mail.text,
          // The mail is built from an author's templates: it never reads a file or fetches a URL.
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (error) {
        const failure = error as { code?: unknown; command?: unknown; responseCode?: unknown };
        if (failure.command === 'RCPT TO' && typeof failure.responseCode === 'number' && failure.responseCode >= 500) throw new MailRefused('the mail server refused the address');
        throw new MailFailed(typeof failure.code === 'string' ? failure.code : 'EUNKNOWN');
      }
    },
  };
}

/** A header value on one line, whatever a template's values held. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}
