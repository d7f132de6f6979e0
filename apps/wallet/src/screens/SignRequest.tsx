/**
 * A signature request on the phone (issue 17): the service as registered (name, logo, domain), the
 * code its screen shows, the exact text to sign (Khmer and English as sent, in the safe Markdown
 * subset: headings, lists, bold, italic; nothing else is interpreted) and the document's name.
 * Signing needs the PIN (never Face ID alone); the app checks what the key is asked to sign
 * against what is shown before it signs (device/sign.ts). "Decline" and "This wasn't me" (which
 * also blocks the service for a while) answer without signing.
 */
import { type InlineRun, type TextBlock, textBlocks } from '@camdigikey/contracts/signing-statement';
import { useCallback, useEffect, useState } from 'react';
import { deviceApi, type SignatureRequest } from '../api/device-api';
import { codeOf } from '../api/errors';
import { signPrepared } from '../device/sign';
import { ErrorBox, rpName, useNow } from '../ui/components';
import { PIN_LENGTH, PinPad } from '../ui/PinPad';
import { useT } from '../ui/use-t';

export type SignOutcome = { id: string; kind: 'signed' | 'declined' | 'blocked' | 'expired' };

/** Stable keys from content (a text never reorders; equal parts get a counter). */
function keyed<T>(items: T[], keyOf: (item: T) => string): { item: T; key: string }[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = keyOf(item);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { item, key: `${base}#${count}` };
  });
}
const runsKey = (runs: InlineRun[]) => runs.map((r) => r.text).join('');

function Runs({ runs }: { runs: InlineRun[] }) {
  return (
    <>
      {keyed(runs, (r) => r.text).map(({ item: run, key }) => {
        if (run.bold) return <strong key={key}>{run.text}</strong>;
        if (run.italic) return <em key={key}>{run.text}</em>;
        return <span key={key}>{run.text}</span>;
      })}
    </>
  );
}

function Block({ block }: { block: TextBlock }) {
  switch (block.kind) {
    case 'heading':
      return (
        <p className="sign-heading">
          <strong>
            <Runs runs={block.runs} />
          </strong>
        </p>
      );
    case 'bullets':
    case 'numbered': {
      const items = keyed(block.items, runsKey).map(({ item: runs, key }) => (
        <li key={key}>
          <Runs runs={runs} />
        </li>
      ));
      return block.kind === 'bullets' ? <ul>{items}</ul> : <ol>{items}</ol>;
    }
    default:
      return (
        <p>
          {keyed(block.lines, runsKey).map(({ item: runs, key }, i) => (
            <span key={key}>
              {i > 0 ? <br /> : null}
              <Runs runs={runs} />
            </span>
          ))}
        </p>
      );
  }
}

/** The text exactly as it will be signed, each language under its own label. */
export function SignedText({
  text,
  format,
}: {
  text: { km?: string; en?: string };
  format: 'plain' | 'markdown';
}) {
  const { t } = useT();
  return (
    <div className="sign-text" data-testid="sign-text">
      {(['km', 'en'] as const).map((language) =>
        text[language] ? (
          <section key={language} lang={language} data-testid={`sign-text-${language}`}>
            <p className="hint">{t(language === 'km' ? 'sign.text_km' : 'sign.text_en')}</p>
            {keyed(textBlocks(text[language] as string, format), (b) => JSON.stringify(b)).map(
              ({ item: block, key }) => (
                <Block key={key} block={block} />
              ),
            )}
          </section>
        ) : null,
      )}
    </div>
  );
}

export function SignatureItem({
  request,
  onAnswered,
}: {
  request: SignatureRequest;
  onAnswered: (outcome: SignOutcome) => void;
}) {
  const { t, lang, countdown } = useT();
  const now = useNow();
  const [open, setOpen] = useState(false);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const left = (new Date(request.expiresAt).getTime() - now) / 1000;
  const { statement } = request;

  const run = async (work: () => Promise<SignOutcome['kind']>) => {
    setBusy(true);
    setError(undefined);
    try {
      onAnswered({ id: request.id, kind: await work() });
    } catch (caught) {
      if (codeOf(caught) === 'signing_request_expired') onAnswered({ id: request.id, kind: 'expired' });
      else
        setError(
          caught instanceof Error && caught.name === 'SignCheckError' ? t('sign.check_failed') : caught,
        );
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  const sign = () =>
    run(async () => {
      // Opened again at each try: the bytes are prepared for this phone and its current certificate.
      const prepared = await deviceApi.prepareSignature(request.id);
      const signatures = await signPrepared(prepared);
      await deviceApi.approveSignature(request.id, pin, signatures);
      return 'signed';
    });
  const decline = (notMe: boolean) =>
    run(async () => {
      await deviceApi.rejectSignature(request.id, notMe);
      return notMe ? 'blocked' : 'declined';
    });

  return (
    <li className="card request sign-request" data-testid={`sign-${request.id}`}>
      <div className="rp-line">
        {request.relyingParty.logoUrl ? (
          <img className="rp-logo" src={request.relyingParty.logoUrl} alt="" width={40} height={40} />
        ) : null}
        <div>
          <p className="rp-name" data-testid="sign-rp-name">
            {rpName(request.relyingParty, lang)}
          </p>
          <p className="rp-domain" data-testid="sign-rp-domain">
            {request.relyingParty.domain ?? ''}
          </p>
        </div>
      </div>
      <p className="hint">{t('sign.asks')}</p>
      <p className="binding">
        {t('sign.code')} <strong data-testid="sign-code">{request.verificationCode}</strong>
      </p>
      <SignedText text={statement.text} format={statement.format} />
      {statement.document ? (
        <p className="sign-document" data-testid="sign-document">
          <span className="hint">{t('sign.document')}</span> <strong>{statement.document.name}</strong>
          <br />
          <span className="hint mono">SHA-256 {statement.document.sha256.slice(0, 16)}…</span>
        </p>
      ) : null}
      <p className="hint">
        {left > 0 ? t('login.time_left', { time: countdown(left) }) : t('login.time_over')}
      </p>
      {open ? (
        <form
          noValidate
          className="approve"
          data-testid="sign-panel"
          onSubmit={(event) => {
            event.preventDefault();
            if (pin.length === PIN_LENGTH) void sign();
          }}
        >
          <p className="hint">{t('sign.pin_note')}</p>
          <PinPad
            fields={[{ name: 'pin', label: t('approve.pin_label') }]}
            values={{ pin }}
            onChange={(_, value) => setPin(value)}
            disabled={busy}
          />
          <ErrorBox error={error} testId="sign-error" />
          <div className="decision">
            <button
              type="button"
              className="btn danger"
              data-testid="sign-decline"
              disabled={busy}
              onClick={() => void decline(false)}
            >
              {t('sign.decline')}
            </button>
            <button
              type="submit"
              className="btn primary"
              data-testid="sign-approve"
              disabled={busy || pin.length !== PIN_LENGTH}
            >
              {t('sign.sign')}
            </button>
          </div>
          <button
            type="button"
            className="btn link"
            data-testid="sign-not-me"
            disabled={busy}
            onClick={() => void decline(true)}
          >
            {t('sign.not_me')}
          </button>
        </form>
      ) : (
        <div className="decision">
          <button
            type="button"
            className="btn danger"
            data-testid="sign-decline-closed"
            disabled={busy}
            onClick={() => void decline(false)}
          >
            {t('sign.decline')}
          </button>
          <button type="button" className="btn primary" data-testid="sign-open" onClick={() => setOpen(true)}>
            {t('sign.review')}
          </button>
        </div>
      )}
      {!open ? <ErrorBox error={error} /> : null}
    </li>
  );
}

/** The signature requests waiting for this citizen, reloaded when the requests stream says so. */
export function useSignatureRequests(enabled: boolean) {
  const [requests, setRequests] = useState<SignatureRequest[]>();
  const [error, setError] = useState<unknown>();
  const reload = useCallback(async () => {
    try {
      setRequests((await deviceApi.signatureRequests()).requests);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  }, []);
  useEffect(() => {
    if (!enabled) return;
    void reload();
    return deviceApi.approvalsStream({
      onEvent: (name) => {
        if (name === 'approval') void reload();
      },
    });
  }, [enabled, reload]);
  return { requests, error, reload, setRequests };
}
