/**
 * Registering a relying party in the console asks for its Khmer organisation and service name
 * (issue 16, item 8): the Khmer app and login pages show them, never the English name in Khmer.
 */
import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { RelyingParties } from './AdminRelyingParties';

beforeAll(async () => {
  await i18next.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: en } },
    interpolation: { escapeValue: false, prefix: '{', suffix: '}' },
    keySeparator: false,
    nsSeparator: false,
  });
});

describe('the relying-party registration form', () => {
  it('requires the Khmer organisation and service name', () => {
    const html = renderToStaticMarkup(createElement(RelyingParties, { onError: () => undefined }));
    for (const name of ['organisationKm', 'appNameKm']) {
      const input = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? '';
      expect(input, name).toContain('lang="km"');
      expect(input, name).toContain('required');
    }
  });
});
