/**
 * The Terms of Use and the Privacy Policy, shown in full before the citizen agrees (issue 16,
 * item 5): a modal sheet over the current screen (a form being filled keeps its values), in the
 * language on screen, with the document's version and the day it came into force. `LegalLinks`
 * are the buttons that open it.
 */
import { type LegalDocument, legalTextId, legalTitleId } from '@camdigikey/messages/legal';
import { useEffect, useId, useRef, useState } from 'react';
import { Icon } from './Icon';
import { useT } from './use-t';

export function LegalSheet({ document, onClose }: { document: LegalDocument; onClose: () => void }) {
  const { t, server, date, n } = useT();
  const heading = useId();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = window.document.activeElement as HTMLElement | null;
    close.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, [onClose]);
  const paragraphs = server(legalTextId(document)).split(/\n{2,}/);
  return (
    <div className="sheet-backdrop">
      <div
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby={heading}
        data-testid={`legal-${document.id}`}
        data-version={document.version}
      >
        <header className="sheet-head">
          <Icon name="document" size={26} />
          <h2 id={heading}>{server(legalTitleId(document))}</h2>
          <button
            type="button"
            ref={close}
            className="icon-button dark"
            aria-label={t('legal.close')}
            data-testid="legal-close"
            onClick={onClose}
          >
            <Icon name="cross" size={26} />
          </button>
        </header>
        <p className="sheet-version" data-testid="legal-version">
          {server('legal.version', { version: n(document.version), date: date(document.since) })}
        </p>
        {/* Scrolls on its own: reachable and scrollable with the keyboard, named by the title. */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (WCAG 2.1.1) */}
        <section className="sheet-body" tabIndex={0} aria-labelledby={heading}>
          {paragraphs.map((text) => (
            <p key={text.slice(0, 40)}>{text}</p>
          ))}
        </section>
        <button type="button" className="btn primary" onClick={onClose}>
          {t('legal.close')}
        </button>
      </div>
    </div>
  );
}

/** A link-looking button that opens one document. */
export function LegalLink({
  document,
  onOpen,
}: {
  document: LegalDocument;
  onOpen: (d: LegalDocument) => void;
}) {
  const { server } = useT();
  return (
    <button
      type="button"
      className="inline-link"
      data-testid={`open-legal-${document.id}`}
      onClick={() => onOpen(document)}
    >
      {server(legalTitleId(document))}
    </button>
  );
}

/** The open document (if any) and the way to open one. */
export function useLegalSheet() {
  const [open, setOpen] = useState<LegalDocument>();
  return {
    open: setOpen,
    sheet: open ? <LegalSheet document={open} onClose={() => setOpen(undefined)} /> : null,
  };
}
