// Outgoing mail. SMTP (nodemailer) when SMTP_URL is set; otherwise each message is written
// as an .eml file under DATA_DIR/outbox so the embedded mode needs no mail server.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Guard } from '../resilience.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The main link of the message, logged in outbox mode so a developer can follow it. */
  link?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  verify(): Promise<void>;
  close(): void;
}

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url, { from });
  return {
    kind: 'smtp',
    async send(message) {
      await transport.sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
    async verify() {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}

export function createOutboxMailer(
  dataDir: string,
  from: string,
  log: Logger,
  logLinks: boolean,
): Mailer {
  const dir = path.join(dataDir, 'outbox');
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  });
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(
        dir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`,
      );
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      // The link carries a one-time token: shown only outside production, for local development.
      log.info(
        { file, ...(logLinks && message.link ? { link: message.link } : {}) },
        'mail written to outbox',
      );
    },
    async verify() {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    },
    close: () => transport.close(),
  };
}

/** Sending through a guard: a hung or failing SMTP server fails fast; the mail job retries. */
export function guardedMailer(mailer: Mailer, guard: Guard): Mailer {
  return {
    kind: mailer.kind,
    send: (message) => guard.run(() => mailer.send(message)),
    verify: () => guard.run(() => mailer.verify()),
    close: () => mailer.close(),
  };
}
