/**
 * Drawings of the two documents the app reads (issue 16, item 6): the back of a Cambodian ID card
 * (ID-1 size, a TD1 machine-readable zone of 3 lines) and the photo page of a passport (ID-3,
 * TD3, 2 lines), each with its MRZ band marked, so the citizen knows which side to show and where
 * the code is. Proportions follow ICAO 9303 (ID-1 85.6 × 54 mm; ID-3 125 × 88 mm).
 */
import { useT } from './use-t';

const MRZ_LINE = (y: number, x0: number, x1: number, key: string) => (
  <path key={key} d={`M${x0} ${y}H${x1}`} className="mrz-chars" strokeDasharray="3.2 1.6" />
);

export function IdCardArt() {
  const { t } = useT();
  return (
    <figure className="doc-art" data-testid="document-art-id-card">
      <svg viewBox="0 0 172 110" width="172" height="110" role="img" aria-label={t('document.art_id_card')}>
        <rect x="1" y="1" width="170" height="108" rx="8" className="doc-body" />
        <rect x="10" y="10" width="34" height="42" rx="3" className="doc-photo" />
        <circle cx="27" cy="25" r="7" className="doc-face" />
        <path d="M16 48c2-7 6.5-10 11-10s9 3 11 10" className="doc-face" />
        <path d="M54 14h60M54 24h86M54 34h72M54 44h40" className="doc-text" />
        <circle cx="148" cy="30" r="10" className="doc-seal" />
        <rect x="5" y="62" width="162" height="42" rx="4" className="mrz-band" />
        {MRZ_LINE(72, 12, 160, 'l1')}
        {MRZ_LINE(83, 12, 160, 'l2')}
        {MRZ_LINE(94, 12, 160, 'l3')}
      </svg>
      <figcaption>
        <span className="doc-name">{t('document.id_card')}</span>
        <span className="mrz-tag">{t('document.mrz_band')}</span>
      </figcaption>
    </figure>
  );
}

export function PassportArt() {
  const { t } = useT();
  return (
    <figure className="doc-art" data-testid="document-art-passport">
      <svg viewBox="0 0 156 110" width="156" height="110" role="img" aria-label={t('document.art_passport')}>
        <rect x="1" y="1" width="154" height="108" rx="5" className="doc-body" />
        <path d="M10 10h136" className="doc-text" />
        <rect x="10" y="18" width="36" height="46" rx="3" className="doc-photo" />
        <circle cx="28" cy="35" r="7.5" className="doc-face" />
        <path d="M16 60c2-7 7-10.5 12-10.5s10 3.5 12 10.5" className="doc-face" />
        <path d="M56 22h56M56 32h80M56 42h64M56 52h76M56 62h44" className="doc-text" />
        <rect x="5" y="74" width="146" height="31" rx="4" className="mrz-band" />
        {MRZ_LINE(84, 11, 145, 'l1')}
        {MRZ_LINE(95, 11, 145, 'l2')}
      </svg>
      <figcaption>
        <span className="doc-name">{t('document.passport')}</span>
        <span className="mrz-tag">{t('document.mrz_band')}</span>
      </figcaption>
    </figure>
  );
}
