/**
 * Turns platform notices into texts in the citizen's language and hands them to a dispatch:
 * in the server, the notification job queue (notify/notification-jobs.ts), whose worker then
 * sends them by SMS or e-mail; `directDispatch` sends at once (the worker's own sender). The
 * only place where codes meet message templates; nothing here is logged.
 *
 * Every method takes an optional executor: given a transaction, the message is queued in it, so
 * the state change and its notice commit together (a crash between them loses nothing).
 */
import { format, type Language } from '@camdigikey/messages';
import type { Executor } from '../jobs/job-queue';
import type { OtpDelivery } from '../otp/otp-service';
import type { MailSender } from './mail';
import type { SmsSender } from './sms';

/** One message to one address, rendered. */
export interface OutgoingMessage {
  channel: 'sms' | 'email';
  to: string;
  language: Language;
  subject?: string;
  text: string;
}

export type Dispatch = (message: OutgoingMessage, db?: Executor) => Promise<void>;

/** Sends a message now, through the SMS or e-mail port. */
export function directDispatch(sms: SmsSender, mail: MailSender): Dispatch {
  return async (message) => {
    if (message.channel === 'sms') await sms.send(message.to, message.text);
    else
      await mail.send({
        to: message.to,
        language: message.language,
        subject: message.subject ?? '',
        text: message.text,
      });
  };
}

export class Notifier {
  constructor(private readonly dispatch: Dispatch) {}

  async deliverOtp(d: OtpDelivery, db?: Executor): Promise<void> {
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
      await this.dispatch({ channel: 'sms', to: d.to, language, text }, db);
      return;
    }
    if (d.kind === 'code') {
      await this.dispatch(
        {
          channel: 'email',
          to: d.to,
          language,
          subject: format('notify.otp.email.subject', language),
          text: format('notify.otp.email.body', language, { code: d.code }),
        },
        db,
      );
    } else {
      await this.dispatch(
        {
          channel: 'email',
          to: d.to,
          language,
          subject: format('notify.contact_in_use.email.subject', language),
          text: format('notify.contact_in_use.email.body', language),
        },
        db,
      );
    }
  }

  async sms(to: string, text: string, language: Language = 'km', db?: Executor): Promise<void> {
    await this.dispatch({ channel: 'sms', to, language, text }, db);
  }

  async email(to: string, language: Language, subject: string, text: string, db?: Executor): Promise<void> {
    await this.dispatch({ channel: 'email', to, language, subject, text }, db);
  }

  async documentInUse(phone: string, language: Language, db?: Executor): Promise<void> {
    await this.dispatch(
      { channel: 'sms', to: phone, language, text: format('notify.document_in_use.sms', language) },
      db,
    );
  }
}
