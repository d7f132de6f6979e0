/** The language switch: Khmer (default) or English; the whole app and the page `lang` follow. */
import { useState } from 'react';
import { type Lang, setLanguage } from '../i18n';
import { useT } from './use-t';

export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { t, lang: current } = useT();
  // The English texts load on first use: show the choice at once, the texts follow.
  const [chosen, setChosen] = useState<Lang>();
  const lang = chosen ?? current;
  const choose = (code: Lang) => {
    setChosen(code);
    void setLanguage(code).finally(() => setChosen(undefined));
  };
  if (compact) {
    const other = lang === 'km' ? 'en' : 'km';
    return (
      <button
        type="button"
        className="btn chip"
        data-testid="lang-toggle"
        lang={other}
        // Named by what it shows ("English" / "ភាសាខ្មែរ", in that language): the visible text is
        // the accessible name (WCAG 2.5.3), and `title` says what pressing it does.
        title={t('settings.language_switch_to')}
        onClick={() => choose(other)}
      >
        {other === 'en' ? 'English' : 'ភាសាខ្មែរ'}
      </button>
    );
  }
  return (
    <fieldset className="field choice" data-testid="language-choice">
      <legend className="label">{t('settings.language')}</legend>
      <div className="choices">
        {(['km', 'en'] as const).map((code) => (
          <label key={code} className={lang === code ? 'choice-item chosen' : 'choice-item'} lang={code}>
            <input
              type="radio"
              name="language"
              value={code}
              data-testid={`lang-${code}`}
              checked={lang === code}
              onChange={() => choose(code)}
            />
            <span>{code === 'km' ? 'ភាសាខ្មែរ' : 'English'}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
