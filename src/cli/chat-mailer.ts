// The console's mail: `parley chat` sends an email sign-in's link through SMTP_URL when it is
// set; otherwise it prints the mail on standard error (with --quiet too: the author needs the
// link to go on), the address masked as everywhere else it is shown.
import type { Settings } from '../config.js';
import { smtpMailer, type Mailer } from '../effects/mailer.js';
import { maskAddress } from '../sign-in/email-address.js';

export function chatMailer(settings: Pick<Settings, 'smtpUrl'>, write: (text: string) => void): Mailer {
  if (settings.smtpUrl !== undefined) return smtpMailer(settings.smtpUrl);
  return {
    async send(mail) {
      write(`\n--- mail, not sent (SMTP_URL is not set) ---\nFrom: ${mail.from}\nTo: ${maskAddress(mail.to)}\nSubject: ${mail.subject}\n\n${mail.text}\n--- end of mail ---\n\n`);
    },
  };
}
