// Tests of the SMTP test inbox over real SMTP (nodemailer as client) and of its MIME decoding helpers.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SmtpInbox } from './smtp-inbox';
import { decodeMimeWords, extractOtp, parseMessage, startSmtpInbox } from './smtp-inbox';

const KHMER_SUBJECT = 'លេខកូដផ្ទៀងផ្ទាត់ CamDigiKey របស់អ្នក';
const KHMER_TEXT = 'សួស្តី សុខ ដារា!\nលេខកូដផ្ទៀងផ្ទាត់របស់អ្នកគឺ 482915 ។ លេខកូដនេះមានសុពលភាព ៥ នាទី។';

let inbox: SmtpInbox;
let transport: ReturnType<typeof nodemailer.createTransport>;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  transport = nodemailer.createTransport({
    host: inbox.host,
    port: inbox.port,
    secure: false,
    ignoreTLS: true,
  });
});

afterAll(async () => {
  transport.close();
  await inbox.close();
});

beforeEach(() => inbox.clear());

describe('startSmtpInbox', () => {
  it('listens on an ephemeral port of 127.0.0.1', () => {
    expect(inbox.host).toBe('127.0.0.1');
    expect(inbox.port).toBeGreaterThan(0);
    expect(inbox.url).toBe(`smtp://127.0.0.1:${inbox.port}`);
  });

  it('receives a Khmer multipart/alternative message and decodes subject, text and html', async () => {
    const waiting = inbox.waitFor({ to: 'Dara.Sok@example.com' });
    await transport.sendMail({
      from: '"CamDigiKey" <no-reply@camdigikey.test>',
      to: 'dara.sok@example.com',
      subject: KHMER_SUBJECT,
      text: KHMER_TEXT,
      html: `<p>${KHMER_TEXT.replace('\n', '<br>')}</p>`,
    });
    const mail = await waiting;
    expect(mail.from).toBe('no-reply@camdigikey.test');
    expect(mail.to).toEqual(['dara.sok@example.com']);
    expect(mail.subject).toBe(KHMER_SUBJECT);
    expect(mail.text.trimEnd()).toBe(KHMER_TEXT);
    expect(mail.html).toContain('លេខកូដផ្ទៀងផ្ទាត់');
    expect(mail.headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(mail.headers.from).toBe('CamDigiKey <no-reply@camdigikey.test>');
    expect(mail.raw.toString('latin1')).toMatch(/Subject: =\?UTF-8\?B\?/);
    expect(extractOtp(mail.text)).toBe('482915');
    expect(inbox.messages).toHaveLength(1);
  });

  it('decodes base64 and quoted-printable bodies sent by nodemailer', async () => {
    const qpText = `Your CamDigiKey code is 731904. (${'Please do not share it. '.repeat(5)}) ដារា`;
    await transport.sendMail({
      from: 'a@camdigikey.test',
      to: 'qp@example.com',
      subject: 'OTP',
      text: qpText,
    });
    await transport.sendMail({
      from: 'a@camdigikey.test',
      to: 'b64@example.com',
      subject: 'OTP',
      text: KHMER_TEXT,
    });
    const qp = await inbox.waitFor({ to: 'qp@example.com' });
    const b64 = await inbox.waitFor((m) => m.to.includes('b64@example.com'));
    expect(qp.headers['content-transfer-encoding']).toBe('quoted-printable');
    expect(qp.text.trimEnd()).toBe(qpText);
    expect(b64.headers['content-transfer-encoding']).toBe('base64');
    expect(b64.text.trimEnd()).toBe(KHMER_TEXT);
  });

  it('parses hand-made MIME: Q-encoded ISO-8859-1 subject, nested multipart, attachments skipped', async () => {
    const raw = [
      'From: Clerk <clerk@camdigikey.test>',
      'To: claire.martin@example.com',
      'Subject: =?ISO-8859-1?Q?V=E9rification_d=27identit=E9?= =?UTF-8?B?4Z6A4Z+S4Z6a4Z6Y?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      'preamble',
      '--outer',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'attachment 111111',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain; charset="iso-8859-1"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Bonjour Cl=E9ment, votre code est 246810. Ceci est une tr=E8s longue ligne =',
      'coup=E9e.',
      '--inner',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<b>246810</b>').toString('base64'),
      '--inner--',
      '--outer--',
      '',
    ].join('\r\n');
    await transport.sendMail({
      envelope: { from: 'clerk@camdigikey.test', to: ['claire.martin@example.com'] },
      raw,
    });
    const mail = await inbox.waitFor({ to: 'claire.martin@example.com' });
    expect(mail.subject).toBe("Vérification d'identitéក្រម");
    expect(mail.text).toBe('Bonjour Clément, votre code est 246810. Ceci est une très longue ligne coupée.');
    expect(mail.html).toBe('<b>246810</b>');
    expect(extractOtp(mail.text)).toBe('246810');
  });

  it('records Bcc recipients and resolves waiters for each', async () => {
    const waitBcc = inbox.waitFor({ to: 'auditor@example.com' });
    await transport.sendMail({
      from: 'a@camdigikey.test',
      to: 'one@example.com',
      bcc: 'auditor@example.com',
      subject: 'x',
      text: 'y',
    });
    const mail = await waitBcc;
    expect(mail.to.sort()).toEqual(['auditor@example.com', 'one@example.com']);
    expect(await inbox.waitFor({ to: 'one@example.com' })).toBe(mail);
  });

  it('waitFor returns the latest matching message already received', async () => {
    for (const code of ['111111', '222222']) {
      await transport.sendMail({
        from: 'a@camdigikey.test',
        to: 'twice@example.com',
        subject: 'OTP',
        text: code,
      });
    }
    expect(extractOtp((await inbox.waitFor({ to: 'twice@example.com' })).text)).toBe('222222');
    inbox.clear();
    expect(inbox.messages).toEqual([]);
  });

  it('rejects waitFor after the timeout, naming what did arrive', async () => {
    await transport.sendMail({
      from: 'a@camdigikey.test',
      to: 'here@example.com',
      subject: 'present',
      text: '.',
    });
    await inbox.waitFor({ to: 'here@example.com' });
    await expect(inbox.waitFor({ to: 'nobody@example.com' }, 150)).rejects.toThrow(
      /no mail matching to=nobody@example.com within 150 ms \(received: here@example.com: present\)/,
    );
  });

  it('close() rejects pending waiters', async () => {
    const other = await startSmtpInbox();
    const pending = other.waitFor({ to: 'never@example.com' }, 10_000);
    await other.close();
    await expect(pending).rejects.toThrow(/closed/);
  });
});

describe('decodeMimeWords', () => {
  it('joins multi-byte characters split across adjacent encoded words', () => {
    const bytes = Buffer.from('ដារា', 'utf8');
    const a = bytes.subarray(0, 4).toString('base64');
    const b = bytes.subarray(4).toString('base64');
    expect(decodeMimeWords(`=?UTF-8?B?${a}?= \r\n =?utf-8?B?${b}?=`)).toBe('ដារា');
    expect(decodeMimeWords('Re: =?UTF-8?Q?caf=C3=A9?= ok')).toBe('Re: café ok');
    expect(decodeMimeWords('plain subject')).toBe('plain subject');
  });

  it('parseMessage handles a bare text message', () => {
    const parsed = parseMessage('Subject: hi\r\n\r\nline 1\r\nline 2\r\n');
    expect(parsed).toEqual({ headers: { subject: 'hi' }, subject: 'hi', text: 'line 1\nline 2\n' });
  });
});

describe('extractOtp', () => {
  it('finds the first standalone 6-digit code', () => {
    expect(extractOtp('Your code: 123456. Expires in 5 min')).toBe('123456');
    expect(extractOtp('Ref 20260301123 then code 654321')).toBe('654321');
    expect(extractOtp('ABC123456 and 987654')).toBe('987654');
    expect(extractOtp('លេខកូដ៤៨២៩១៥')).toBe('482915');
    expect(extractOtp('call 012 345 678')).toBeNull();
    expect(extractOtp('no code here')).toBeNull();
  });
});
