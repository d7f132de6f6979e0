/**
 * Scans the citizen's ID card (TD1) or passport data page (TD3) with the rear camera (1280 × 720
 * preferred). A card-shaped frame is drawn over the preview in the picture's own pixels; about four
 * times a second (one frame at a time) the picture is handed to the MRZ worker, which crops the frame
 * region and reads the MRZ with @camdigikey/mrz-reader (perspective undone, a confidence per
 * character). The frame's corners turn green as soon as an MRZ is seen to read; the worker votes per
 * character over the last frames (MrzConsensus) and the MRZ is accepted only when at least three frames
 * agree and every character is sure. While characters stay unsure the citizen is asked to hold the
 * card flat and still, away from glare. The result carries the MRZ, the form's fields and the card region as a JPEG (≤ about 1 MB). "Type it
 * in" leaves for manual entry at any time.
 */
import './camera.css';
import type { JSX } from 'react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CameraProblemPanel } from './CameraProblemPanel';
import type { Rect } from './geometry';
import { cardFrame, readRegion } from './geometry';
import { createMrzFrameReader } from './mrz-client';
import { mrzFields } from './mrz-fields';
import type { MrzFrameReply } from './mrz-frame';
import { regionToJpegBase64 } from './photo';
import { recordTiming } from './timing';
import { useCamera } from './useCamera';

export interface DocumentScanResult {
  /** The MRZ lines joined with '\n'. */
  mrz: string;
  format: 'TD1' | 'TD3';
  /** documentNumber, surname, givenNames, birthDate, expiryDate (ISO), sex, nationality. */
  fields: Record<string, string>;
  /** The card region of the accepted frame, JPEG, base64 without a data: prefix. */
  photoBase64: string;
}

/** Pause between the end of one read and the next frame. */
const READ_INTERVAL_MS = 150;
/** After this long without a read, suggest better light or typing the details in. */
const TROUBLE_AFTER_MS = 15_000;

type Phase = 'searching' | 'detected' | 'unsure' | 'accepted';

/** Frames in a row whose characters stay unsure before the citizen is asked to hold the card better. */
const UNSURE_HINT_AFTER = 4;

export default function DocumentScanner(props: {
  onResult(r: DocumentScanResult): void;
  onManual(): void;
  onCancel(): void;
}): JSX.Element {
  const { t } = useTranslation();
  const camera = useCamera({ facingMode: 'environment', width: 1280, height: 720 });
  const [phase, setPhase] = useState<Phase>('searching');
  const [trouble, setTrouble] = useState(false);
  const [photoFailed, setPhotoFailed] = useState(false);
  const onResult = useRef(props.onResult);
  onResult.current = props.onResult;
  const { videoRef, status, stop } = camera;

  useEffect(() => {
    if (status !== 'live') return;
    const timer = setTimeout(() => setTrouble(true), TROUBLE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [status]);

  useEffect(() => {
    if (status !== 'live') return;
    const video = videoRef.current;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!video || !ctx) return;
    const reader = createMrzFrameReader();
    let unsureRun = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    /** Takes the photo of the accepted frame and hands the result on; false when the photo failed. */
    const accept = async (
      accepted: NonNullable<MrzFrameReply['consensus']['accepted']>,
      region: Rect,
    ): Promise<boolean> => {
      try {
        // The canvas still holds the frame of this read: it is only redrawn by the next step.
        const photoBase64 = await regionToJpegBase64(canvas, region);
        if (stopped) return true;
        stopped = true;
        stop();
        const { lines, format } = accepted;
        onResult.current({ mrz: lines.join('\n'), format, fields: { ...mrzFields(lines) }, photoBase64 });
        return true;
      } catch {
        return false;
      }
    };

    const step = async () => {
      if (stopped) return;
      const { videoWidth: width, videoHeight: height } = video;
      if (!document.hidden && video.readyState >= 2 && width > 0) {
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
        ctx.drawImage(video, 0, 0, width, height);
        const image = ctx.getImageData(0, 0, width, height);
        const region = readRegion(width, height);
        const started = performance.now();
        let reply: MrzFrameReply | undefined;
        try {
          reply = await reader.read({ width, height, data: image.data }, region);
        } catch {
          reply = undefined;
        }
        if (stopped) return;
        if (reply) {
          recordTiming('mrz-read', reply.ms);
          recordTiming('mrz-roundtrip', performance.now() - started);
        }
        const accepted = reply?.consensus.accepted;
        if (accepted !== undefined) {
          setPhase('accepted');
          if (await accept(accepted, region)) return;
          if (stopped) return;
          setPhotoFailed(true);
        }
        const seen = reply !== undefined && (reply.ok || reply.code === 'mrz_uncertain');
        unsureRun =
          reply !== undefined && seen && (reply.consensus.unsure > 0 || !reply.ok) ? unsureRun + 1 : 0;
        setPhase(!seen ? 'searching' : unsureRun >= UNSURE_HINT_AFTER ? 'unsure' : 'detected');
      }
      timer = setTimeout(step, READ_INTERVAL_MS);
    };

    timer = setTimeout(step, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
      reader.close();
    };
  }, [status, videoRef, stop]);

  const problem = status !== 'starting' && status !== 'live' && status !== 'stopped' ? status : undefined;
  const state = problem ? 'problem' : status === 'starting' ? 'starting' : phase;
  const green = phase === 'detected' || phase === 'unsure' || phase === 'accepted';
  const size = camera.size ?? { width: 1280, height: 720 };
  const frame = cardFrame(size.width, size.height);
  const arm = frame.width * 0.12;
  const radius = frame.width * 0.04;
  const { x, y, width: w, height: h } = frame;

  return (
    <section className="cdk-cam cdk-cam-document" data-camera="document" data-state={state}>
      <h2>{t('camera.document.title')}</h2>
      <p className="cdk-cam-hint">{t('camera.document.hint')}</p>
      {problem ? <CameraProblemPanel problem={problem} onRetry={camera.retry} /> : null}
      <div
        className="cdk-cam-stage"
        style={{ aspectRatio: `${size.width} / ${size.height}`, display: problem ? 'none' : undefined }}
        data-state={state}
        data-mrz-valid={green ? 'true' : 'false'}
      >
        <video ref={videoRef} muted playsInline />
        <svg
          className="cdk-cam-overlay"
          viewBox={`0 0 ${size.width} ${size.height}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={t('camera.document.frame')}
        >
          <path
            className="cdk-cam-mask"
            fillRule="evenodd"
            d={`M0 0H${size.width}V${size.height}H0Z M${x + radius} ${y}H${x + w - radius}Q${x + w} ${y} ${x + w} ${y + radius}V${y + h - radius}Q${x + w} ${y + h} ${x + w - radius} ${y + h}H${x + radius}Q${x} ${y + h} ${x} ${y + h - radius}V${y + radius}Q${x} ${y} ${x + radius} ${y}Z`}
          />
          <path
            className="cdk-cam-corners"
            data-green={green ? 'true' : 'false'}
            strokeWidth={Math.max(5, w * 0.012)}
            d={[
              `M${x} ${y + arm}V${y + radius}Q${x} ${y} ${x + radius} ${y}H${x + arm}`,
              `M${x + w - arm} ${y}H${x + w - radius}Q${x + w} ${y} ${x + w} ${y + radius}V${y + arm}`,
              `M${x + w} ${y + h - arm}V${y + h - radius}Q${x + w} ${y + h} ${x + w - radius} ${y + h}H${x + w - arm}`,
              `M${x + arm} ${y + h}H${x + radius}Q${x} ${y + h} ${x} ${y + h - radius}V${y + h - arm}`,
            ].join(' ')}
          />
        </svg>
      </div>
      <p className="cdk-cam-status" role="status" aria-live="polite">
        {status === 'starting'
          ? t('camera.common.starting')
          : phase === 'accepted'
            ? t('camera.document.accepted')
            : phase === 'detected'
              ? t('camera.document.detected')
              : phase === 'unsure'
                ? t('camera.document.unsure')
                : ''}
      </p>
      {photoFailed && phase !== 'accepted' ? (
        <p className="cdk-cam-alert" role="alert">
          {t('camera.document.failed')}
        </p>
      ) : null}
      {trouble && phase !== 'accepted' ? (
        <p className="cdk-cam-trouble">{t('camera.document.trouble')}</p>
      ) : null}
      <div className="cdk-cam-actions">
        <button
          type="button"
          className={trouble || problem ? 'cdk-cam-primary' : undefined}
          onClick={props.onManual}
        >
          {t('camera.document.manual')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('camera.common.cancel')}
        </button>
      </div>
    </section>
  );
}
