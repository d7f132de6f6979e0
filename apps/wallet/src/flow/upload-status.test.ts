/**
 * What a long step shows while a capture goes out (issue 16, item 2): the bytes sent of the total,
 * with a progress bar, in the language's digits; then what the server is doing with it ("Checking
 * your face…"); and a capture kept on the phone after the connection dropped, with "Send it now".
 */
import { type ComponentProps, createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { initI18n, setLanguage } from '../i18n';
import { KeptUpload, UploadStatus } from './UploadStatus';

const status = (props: ComponentProps<typeof UploadStatus>) =>
  renderToStaticMarkup(createElement(UploadStatus, props));
const kept = (props: ComponentProps<typeof KeptUpload>) =>
  renderToStaticMarkup(createElement(KeptUpload, props));

beforeAll(async () => {
  await initI18n('km');
});

describe('the upload status of a long step', () => {
  it('counts the bytes sent of the total, in English', async () => {
    await setLanguage('en');
    const html = status({
      state: { phase: 'sending', sent: 420_000, total: 840_000 },
      panel: 'liveness',
    });
    expect(html).toContain('data-phase="sending"');
    expect(html).toContain('Sending… 420 KB of 840 KB');
    expect(html).toMatch(/<progress[^>]*value="50"/);
    expect(html).toContain('role="status"');
  });

  it('counts in Khmer digits in Khmer', async () => {
    await setLanguage('km');
    const html = status({
      state: { phase: 'sending', sent: 1_250_000, total: 2_500_000 },
      panel: 'document',
    });
    expect(html).toContain('១.៣ មេកាបៃ');
    expect(html).toContain('២.៥ មេកាបៃ');
    expect(html).toContain('៥០%');
    expect(html).not.toMatch(/>[^<]*[0-9][^<]*</);
  });

  it('says what the server is doing once everything is sent', async () => {
    await setLanguage('en');
    expect(status({ state: { phase: 'checking' }, panel: 'liveness' })).toContain(
      'Sent. Checking your face…',
    );
    expect(status({ state: { phase: 'checking' }, panel: 'document' })).toContain(
      'Sent. Checking your document…',
    );
    expect(status({ state: { phase: 'checking' }, panel: 'form' })).toContain(
      'Sending your registration to the officers…',
    );
  });

  it('offers a capture kept on the phone again, without recording again', async () => {
    await setLanguage('en');
    const html = kept({ panel: 'liveness', busy: false, onSend: () => undefined });
    expect(html).toContain('data-testid="kept-upload"');
    expect(html).toContain('You do not need to record again.');
    expect(html).toContain('Send it now');
  });
});
