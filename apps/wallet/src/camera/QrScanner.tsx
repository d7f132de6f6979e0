/**
 * Scans a QR code (the website login QR) with the rear camera: about 640 × 480, a frame drawn to a
 * canvas every ~200 ms (never while the previous decode runs, never while the page is hidden) and
 * decoded by ZXing-C++ in WebAssembly, loaded from the app's own origin. The first valid code is
 * handed to `onResult` once and the camera is stopped; it is also stopped on unmount.
 */
import './camera.css';
import type { JSX } from 'react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CameraProblemPanel } from './CameraProblemPanel';
import { decodeQr } from './qr-decode';
import { recordTiming } from './timing';
import { useCamera } from './useCamera';
import { loadQrReader } from './zxing-setup';

/** Pause between the end of one decode and the next frame. */
const SCAN_INTERVAL_MS = 180;
/** Frames are decoded at most this large (longest side). */
const DECODE_MAX_SIDE = 640;

export default function QrScanner(props: { onResult(text: string): void; onCancel(): void }): JSX.Element {
  const { t } = useTranslation();
  const camera = useCamera({ facingMode: 'environment', width: 640, height: 480 });
  const [reader, setReader] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [readerAttempt, setReaderAttempt] = useState(0);
  const [found, setFound] = useState(false);
  const onResult = useRef(props.onResult);
  onResult.current = props.onResult;
  const { videoRef, status, stop } = camera;

  useEffect(() => {
    void readerAttempt;
    let live = true;
    setReader('loading');
    loadQrReader().then(
      () => live && setReader('ready'),
      () => live && setReader('failed'),
    );
    return () => {
      live = false;
    };
  }, [readerAttempt]);

  useEffect(() => {
    if (status !== 'live' || reader !== 'ready') return;
    const video = videoRef.current;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!video || !ctx) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const scan = async () => {
      if (stopped) return;
      const { videoWidth, videoHeight } = video;
      if (!document.hidden && video.readyState >= 2 && videoWidth > 0) {
        const scale = Math.min(1, DECODE_MAX_SIDE / Math.max(videoWidth, videoHeight));
        const width = Math.round(videoWidth * scale);
        const height = Math.round(videoHeight * scale);
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
        ctx.drawImage(video, 0, 0, width, height);
        const image = ctx.getImageData(0, 0, width, height);
        const started = performance.now();
        let text: string | undefined;
        try {
          text = await decodeQr(image);
        } catch {
          text = undefined;
        }
        recordTiming('qr-decode', performance.now() - started);
        if (stopped) return;
        if (text !== undefined) {
          stopped = true;
          setFound(true);
          stop();
          onResult.current(text);
          return;
        }
      }
      timer = setTimeout(scan, SCAN_INTERVAL_MS);
    };
    timer = setTimeout(scan, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [status, reader, videoRef, stop]);

  const problem = status !== 'starting' && status !== 'live' && status !== 'stopped' ? status : undefined;
  const state = found
    ? 'found'
    : problem
      ? 'problem'
      : status === 'live' && reader === 'ready'
        ? 'scanning'
        : 'starting';
  const size = camera.size ?? { width: 640, height: 480 };
  const side = Math.round(Math.min(size.width, size.height) * 0.7);
  const box = { x: (size.width - side) / 2, y: (size.height - side) / 2, side };
  const arm = side * 0.18;

  return (
    <section className="cdk-cam cdk-cam-qr" data-camera="qr" data-state={state}>
      <h2>{t('camera.qr.title')}</h2>
      <p className="cdk-cam-hint">{t('camera.qr.hint')}</p>
      {problem ? <CameraProblemPanel problem={problem} onRetry={camera.retry} /> : null}
      <div
        className="cdk-cam-stage"
        style={{ aspectRatio: `${size.width} / ${size.height}`, display: problem ? 'none' : undefined }}
        data-state={state}
      >
        <video ref={videoRef} muted playsInline aria-label={t('camera.qr.viewfinder')} />
        <svg
          className="cdk-cam-overlay"
          viewBox={`0 0 ${size.width} ${size.height}`}
          preserveAspectRatio="none"
          aria-hidden="true"
        >
          <path
            className="cdk-cam-mask"
            fillRule="evenodd"
            d={`M0 0H${size.width}V${size.height}H0Z M${box.x} ${box.y}h${side}v${side}h${-side}Z`}
          />
          <path
            className="cdk-cam-corners"
            strokeWidth={Math.max(4, side * 0.02)}
            d={[
              `M${box.x} ${box.y + arm}V${box.y}H${box.x + arm}`,
              `M${box.x + side - arm} ${box.y}H${box.x + side}V${box.y + arm}`,
              `M${box.x + side} ${box.y + side - arm}V${box.y + side}H${box.x + side - arm}`,
              `M${box.x + arm} ${box.y + side}H${box.x}V${box.y + side - arm}`,
            ].join(' ')}
          />
        </svg>
      </div>
      <p className="cdk-cam-status" role="status" aria-live="polite">
        {found
          ? t('camera.qr.found')
          : status === 'starting'
            ? t('camera.common.starting')
            : reader === 'loading' && status === 'live'
              ? t('camera.qr.loading')
              : ''}
      </p>
      {reader === 'failed' ? (
        <div className="cdk-cam-problem" role="alert">
          <p>{t('camera.qr.decoderFailed')}</p>
          <div className="cdk-cam-actions">
            <button type="button" className="cdk-cam-primary" onClick={() => setReaderAttempt((n) => n + 1)}>
              {t('camera.common.retry')}
            </button>
          </div>
        </div>
      ) : null}
      <div className="cdk-cam-actions">
        <button type="button" onClick={props.onCancel}>
          {t('camera.common.cancel')}
        </button>
      </div>
    </section>
  );
}
