/**
 * Turns platform notices into texts in the citizen's language and hands them to the SMS or
 * e-mail port. The only place where codes meet message templates; nothing here is logged.
 */
import { format, type Language } from '@camdigikey/messages';
import type { OtpDelivery } from '../otp/otp-service';
import type { MailSender } from './mail';
import type { SmsSender } from './sms';

export class Notifier {
  constructor(
    private readonly sms_: SmsSender,
    private readonly mail: MailSender,
  ) {}

  async deliverOtp(d: OtpDelivery): Promise<void> {
    const { language } = d;
    if (d.channel === 'sms') {
      const text =
        d.kind === 'code'
          ? format(d.purpose === 'recovery' ? 'notify.otp.recovery.sms' : 'notify.otp.sms', language, {
              code: d.code,
            })
          : format(
              d.kind === 'no_account' ? 'notify.recovery_no_account.sms' : 'notify.contact_in_use.sms',
              language,
            );
      await this.sms_.send(d.to, text);
      return;
    }
    if (d.kind === 'code') {
      await this.mail.send({
        to: d.to,
        language,
        subject: format('notify.otp.email.subject', language),
        text: format('notify.otp.email.body', language, { code: d.code }),
      });
    } else {
      await this.mail.send({
        to: d.to,
        language,
        subject: format('notify.contact_in_use.email.subject', language),
        text: format('notify.contact_in_use.email.body', language),
      });
    }
  }

  async sms(to: string, text: string): Promise<void> {
    await this.sms_.send(to, text);
  }

  async email(to: string, language: Language, subject: string, text: string): Promise<void> {
    await this.mail.send({ to, language, subject, text });
  }

  async documentInUse(phone: string, language: Language): Promise<void> {
    await this.sms_.send(phone, format('notify.document_in_use.sms', language));
  }
}
