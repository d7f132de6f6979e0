/**
 * Drives a stored flow (registration, user guide §1; or recovery, §2) over the device API: starts
 * it or resumes the one kept in IndexedDB (the server's view holds everything entered so far),
 * runs the actions the view lists, and hands each answer to the step renderer. A flow that is gone
 * (expired after 30 idle minutes, unknown, or started on another phone) is forgotten and can be
 * started again. At the end: a submitted registration makes this phone the account's device and
 * opens the pending screen; a recovered account opens home.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  type AccountStatusView,
  type AnyFlowView,
  deviceApi,
  type FlowKind,
  type UiAction,
} from '../api/device-api';
import { type ApiError, codeOf, isApiError } from '../api/errors';
import { navigate } from '../router';
import { useSession } from '../session';
import { appState, type KeptUpload, type Profile } from '../storage/app-state';
import { ErrorBox, Loading, Notice, ScreenFrame } from '../ui/components';
import { useT } from '../ui/use-t';
import { faceIdAvailable } from '../webauthn/webauthn';
import type { UploadState } from './panel-props';
import { StepRenderer } from './StepRenderer';

/** Codes that mean the stored flow cannot continue: start again. */
const GONE = new Set(['flow_not_found', 'flow_expired', 'device_key_mismatch']);
/** The server's default time between two codes (OTP_RESEND_SECONDS); its refusal corrects it. */
const RESEND_SECONDS = 60;
/** Bodies larger than this (JSON characters) are captures: progress shown, kept until answered. */
const CAPTURE_BYTES = 64 * 1024;
/** Actions the server takes a while to judge (the final submission): "checking" while they run. */
const SLOW_ACTIONS = new Set(['submit', 'scan']);

const isView = (value: unknown): value is AnyFlowView =>
  typeof value === 'object' && value !== null && 'state' in value && 'ui' in value && 'kind' in value;

const channelOfHref = (href: string): 'phone' | 'email' => (/\/email(\/|$)/.test(href) ? 'email' : 'phone');

function profileFrom(view: AnyFlowView, form: Record<string, string>): Profile {
  const document = (view.values as { document?: Record<string, string> }).document;
  return {
    ...(form.khmerSurname ? { khmerSurname: form.khmerSurname } : {}),
    ...(form.khmerGivenName ? { khmerGivenName: form.khmerGivenName } : {}),
    ...(form.latinSurname ? { latinSurname: form.latinSurname } : {}),
    ...(form.latinGivenName ? { latinGivenName: form.latinGivenName } : {}),
    ...(form.gender ? { gender: form.gender } : {}),
    ...(form.birthDate ? { birthDate: form.birthDate } : {}),
    ...(form.documentNumber ? { documentNumber: form.documentNumber } : {}),
    ...(form.expiryDate ? { expiryDate: form.expiryDate } : {}),
    ...(document?.documentType ? { documentType: document.documentType } : {}),
    ...(document?.issuingState ? { nationality: document.issuingState } : {}),
  };
}

export function FlowScreen({ kind }: { kind: FlowKind }) {
  const session = useSession();
  const { t, lang, server } = useT();
  const [view, setView] = useState<AnyFlowView>();
  const [error, setError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [gone, setGone] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [loading, setLoading] = useState(true);
  const [resendAt, setResendAt] = useState<Partial<Record<'phone' | 'email', number>>>({});
  const [faceId, setFaceId] = useState<boolean>();
  const [upload, setUpload] = useState<UploadState>();
  const [kept, setKept] = useState<KeptUpload>();
  const form = useRef<Record<string, string>>({});
  const once = useRef(false);
  const flowId = useRef<string | undefined>(undefined);
  const running = useRef(false);

  useEffect(() => {
    void faceIdAvailable().then(setFaceId);
  }, []);

  const show = useCallback(
    async (next: AnyFlowView) => {
      setView(next);
      flowId.current = next.id;
      // A capture kept from before (the connection dropped) is offered while its step is open.
      const stored = await appState.keptUpload(kind);
      if (stored && stored.flowId === next.id && next.ui.actions.some((a) => a.href === stored.href))
        setKept(stored);
      else {
        setKept(undefined);
        if (stored) await appState.dropUpload(kind);
      }
      const values = next.values as Record<string, unknown>;
      if (next.kind === 'registration' && next.state === 'submitted') {
        const status: AccountStatusView | undefined = next.account
          ? {
              accountId: next.account.id,
              status: next.account.status as AccountStatusView['status'],
              messageId: `account.status.${next.account.status}`,
              reviewDeadline: next.account.reviewDeadline,
              submittedAt: new Date().toISOString(),
              decidedAt: null,
              resubmission: null,
            }
          : undefined;
        await appState.saveProfile(profileFrom(next, form.current));
        await session.becomeDevice(
          {
            ...(next.account ? { accountId: next.account.id } : {}),
            faceId: values.faceId === 'registered',
            since: new Date().toISOString(),
            via: 'registration',
          },
          status,
        );
        await session.setFlow(kind, undefined);
        navigate('pending', { replace: true });
      } else if (next.kind === 'recovery' && next.state === 'recovered') {
        await session.becomeDevice({
          faceId: values.faceId === 'registered',
          since: new Date().toISOString(),
          via: 'recovery',
        });
        await session.setFlow(kind, undefined);
        void session.refreshStatus();
      } else if (next.kind === 'recovery' && next.state === 'referred') {
        await session.setFlow(kind, undefined);
      }
    },
    [kind, session],
  );

  const fail = useCallback(
    async (caught: unknown) => {
      const code = codeOf(caught);
      if (GONE.has(code)) {
        await session.setFlow(kind, undefined);
        setView(undefined);
        setGone(caught as ApiError);
        return;
      }
      setError(caught);
      if (isApiError(caught)) {
        const texts: Record<string, string> = {};
        for (const f of caught.fields)
          if (f.code !== caught.code) {
            // A field can have several problems (a selfie both too small and too dark): show them all.
            const text = server(f.messageId, caught.details) || server(`error.${f.code}`);
            texts[f.field] = texts[f.field] ? `${texts[f.field]} ${text}` : text;
          }
        setFieldErrors(texts);
        const wait = caught.details.retryAfterSeconds;
        if (code === 'otp_resend_too_soon' && typeof wait === 'number' && view) {
          const channel = view.ui.nodes.some((n) => n.type === 'email') ? 'email' : 'phone';
          setResendAt((r) => ({ ...r, [channel]: Date.now() + wait * 1000 }));
        }
      }
    },
    [kind, session, server, view],
  );

  const start = useCallback(async () => {
    setGone(undefined);
    setError(undefined);
    setLoading(true);
    try {
      const stored = await appState.flow(kind);
      if (stored) {
        try {
          await show(await deviceApi.resumeFlow(kind, stored.id));
          return;
        } catch (caught) {
          if (!GONE.has(codeOf(caught))) throw caught;
          await session.setFlow(kind, undefined);
          setGone(caught as ApiError);
          return;
        }
      }
      const created = await deviceApi.startFlow(kind, lang);
      await session.setFlow(kind, created.id);
      await show(created);
    } catch (caught) {
      await fail(caught);
    } finally {
      setLoading(false);
    }
  }, [kind, lang, session, show, fail]);

  useEffect(() => {
    if (once.current) return;
    once.current = true;
    void start();
  }, [start]);

  const run = useCallback(
    async (action: UiAction, body: unknown = {}) => {
      running.current = true;
      setBusy(true);
      setError(undefined);
      setFieldErrors({});
      const capture = JSON.stringify(body).length > CAPTURE_BYTES;
      if (capture && flowId.current)
        await appState.keepUpload(kind, {
          flowId: flowId.current,
          name: action.name,
          href: action.href,
          body,
        });
      setUpload(
        capture
          ? { phase: 'sending', sent: 0, total: 0 }
          : SLOW_ACTIONS.has(action.name)
            ? { phase: 'checking' }
            : undefined,
      );
      try {
        const answer = await deviceApi.flowAction<unknown>(
          action.href,
          body,
          capture
            ? (p) =>
                setUpload(p.done ? { phase: 'checking' } : { phase: 'sending', sent: p.sent, total: p.total })
            : undefined,
        );
        if (capture) {
          await appState.dropUpload(kind);
          setKept(undefined);
        }
        if (action.name === 'send_otp' || action.name === 'resend_otp') {
          setResendAt((r) => ({ ...r, [channelOfHref(action.href)]: Date.now() + RESEND_SECONDS * 1000 }));
        }
        const next = isView(answer)
          ? answer
          : isView((answer as { flow?: unknown }).flow)
            ? (answer as { flow: AnyFlowView }).flow
            : undefined;
        if (next) await show(next);
        return answer ?? {};
      } catch (caught) {
        if (capture) {
          // Offline: keep the capture for the next try. Any answer from the server: it is done with it.
          if (isApiError(caught) && caught.offline) setKept(await appState.keptUpload(kind));
          else {
            await appState.dropUpload(kind);
            setKept(undefined);
          }
        }
        await fail(caught);
        return undefined;
      } finally {
        running.current = false;
        setBusy(false);
        setUpload(undefined);
      }
    },
    [kind, show, fail],
  );

  /** Send the kept capture again (the citizen asked, or the phone is back online). */
  const resend = useCallback(() => {
    if (!kept || running.current) return;
    void run({ name: kept.name, href: kept.href, method: 'POST', labelId: '' }, kept.body);
  }, [kept, run]);

  useEffect(() => {
    if (!kept) return;
    window.addEventListener('online', resend);
    return () => window.removeEventListener('online', resend);
  }, [kept, resend]);

  const title = t(kind === 'registration' ? 'register.title' : 'recover.title');
  const back = () => navigate('start');

  if (gone) {
    return (
      <ScreenFrame title={title} onBack={back} testId={`flow-${kind}`}>
        <ErrorBox error={gone} testId="flow-gone" />
        <button type="button" className="btn primary" data-testid="flow-restart" onClick={() => void start()}>
          {t('flow.start_again')}
        </button>
      </ScreenFrame>
    );
  }
  if (!view) {
    return (
      <ScreenFrame title={title} onBack={back} testId={`flow-${kind}`}>
        {loading ? <Loading /> : null}
        <ErrorBox error={error} testId="flow-error" />
        {!loading && error ? (
          <button type="button" className="btn primary" data-testid="flow-retry" onClick={() => void start()}>
            {t('common.retry')}
          </button>
        ) : null}
      </ScreenFrame>
    );
  }

  return (
    <ScreenFrame title={title} onBack={back} testId={`flow-${kind}`}>
      <StepRenderer
        view={view}
        busy={busy}
        error={error}
        run={run}
        fail={(e) => void fail(e)}
        fieldErrors={fieldErrors}
        resendAt={resendAt}
        faceIdAvailable={faceId}
        upload={upload}
        kept={kept ? { savedAt: kept.savedAt, resend } : undefined}
        onBeforeSubmit={(values) => {
          form.current = values;
        }}
      >
        {view.state === 'recovered' ? (
          <>
            <Notice tone="ok">{t('recover.done')}</Notice>
            <button
              type="button"
              className="btn primary"
              data-testid="recovery-continue"
              onClick={() => navigate('home', { replace: true })}
            >
              {t('common.continue')}
            </button>
          </>
        ) : (
          <button type="button" className="btn secondary" data-testid="flow-back-start" onClick={back}>
            {t('common.back_to_start')}
          </button>
        )}
      </StepRenderer>
    </ScreenFrame>
  );
}
