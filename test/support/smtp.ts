// A real SMTP server on loopback (smtp-server), standing in for the mail server SMTP_URL names:
// Parley's nodemailer talks SMTP to it as to any server, and every mail it accepts is parsed
// with mailparser, as a mail client would read it.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach } from 'vitest';

export interface ReceivedMail {
  /** The envelope's recipients, as the server was told them (RCPT TO). */
  to: string[];
  parsed: ParsedMail;
  /** The raw message, as it crossed the wire. */
  raw: string;
}

export interface TestMailServer {
  /** `smtp://127.0.0.1:PORT`: what SMTP_URL is set to. */
  url: string;
  mails: ReceivedMail[];
  /** The next mail not yet taken, waiting for it. */
  next(withinMs?: number): Promise<ReceivedMail>;
  /** Recipients the server refuses for good (550), as a server with no such mailbox does. */
  refuse(address: string): void;
}

/** Mail servers for the tests of one file; closed after each test. */
export function mailServers(): () => Promise<TestMailServer> {
  const running: SMTPServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });
  return async () => {
    const mails: ReceivedMail[] = [];
    const refused = new Set<string>();
    let taken = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (refused.has(address.address.toLowerCase())) {
          callback(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), parsed, raw });
              callback();
            })
            .catch((error: unknown) => callback(error as Error));
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    running.push(server);
    const { port } = server.server.address() as AddressInfo;
    return {
      url: `smtp://127.0.0.1:${port}`,
      mails,
      refuse: (address) => void refused.add(address.toLowerCase()),
      async next(withinMs = 5_000) {
        const until = Date.now() + withinMs;
        while (mails.length <= taken) {
          if (Date.now() > until) throw new Error(`no mail within ${withinMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return mails[taken++]!;
      },
    };
  };
}
