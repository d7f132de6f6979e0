/**
 * The e-mail port: real SMTP through nodemailer, in every environment. Development runs a
 * local SMTP sink (dev/smtp-sink.ts) that fills the outbox page; tests run a real SMTP server
 * from the testkit and read the messages it received.
 */
import type { Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  language: 'km' | 'en';
}

export interface MailSender {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * nodemailer is loaded with the first message: a web instance only queues mail (the worker role
 * sends it), so it never pays for loading it at start-up.
 */
export class SmtpMailSender implements MailSender {
  private transport: Promise<Transporter> | undefined;
  private closed = false;

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
  ) {}

  private open(): Promise<Transporter> {
    this.transport ??= import('nodemailer').then(({ default: nodemailer }) => {
      const transport = nodemailer.createTransport(this.smtpUrl, { from: this.from });
      if (this.closed) transport.close();
      return transport;
    });
    return this.transport;
  }

  async send(message: MailMessage): Promise<void> {
    const transport = await this.open();
    await transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      headers: { 'Content-Language': message.language },
    });
  }

  close(): void {
    this.closed = true;
    void this.transport?.then((transport) => transport.close());
  }
}
