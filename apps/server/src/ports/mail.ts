/**
 * The e-mail port: real SMTP through nodemailer, in every environment. Development runs a
 * local SMTP sink (dev/smtp-sink.ts) that fills the outbox page; tests run a real SMTP server
 * from the testkit and read the messages it received.
 */
import nodemailer, { type Transporter } from 'nodemailer';

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

export class SmtpMailSender implements MailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl, { from });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      headers: { 'Content-Language': message.language },
    });
  }

  close(): void {
    this.transport.close();
  }
}
