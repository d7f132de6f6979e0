/**
 * Records the liveness challenge with the front camera: the mirrored preview sits in an oval; the
 * server's actions are shown one at a time (animated drawing + text), after a still, centred start.
 * Recording runs only while "Hold to record" is pressed (pointer, or Space / Enter held down): JPEG
 * frames of about 400 px at quality 0.7, about 5 per second, stamped in ms from the start, and one
 * selfie from the centred start. Letting go before the last action ends asks to try again; at the
 * end the frames and the selfie go to `onResult` and the camera stops.
 */
import './camera.css';
import type { JSX, KeyboardEvent, PointerEvent } from 'react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionIcon } from './ActionIcon';
import { CameraProblemPanel } from './CameraProblemPanel';
import { type ChallengeStep, livenessPlan, MIN_FRAMES, stepIndexAt } from './liveness-plan';
import { blobToBase64, canvasToJpeg } from './photo';
import { recordTiming } from './timing';
import { useCamera } from './useCamera';

export interface LivenessResult {
  /** JPEG, base64 without a data: prefix. */
  selfie: string;
  /** `t`: ms from the start of the recording, strictly increasing. */
  frames: { t: number; image: string }[];
}

/** Width of the recorded frames (the height follows the camera's proportions). */
const FRAME_WIDTH = 400;
const FRAME_QUALITY = 0.7;
/** Longest side and quality of the selfie. */
const SELFIE_MAX_SIDE = 640;
const SELFIE_QUALITY = 0.85;

type Phase = 'ready' | 'recording' | 'too_early' | 'processing' | 'failed';

interface Recording {
  startedAt: number;
  timer?: ReturnType<typeof setInterval>;
  frames: Promise<{ t: number; image: string }>[];
  lastT: number;
  selfie?: Promise<string>;
  over: boolean;
}

const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';
const digitsFor = (n: number, language: string): string =>
  language.startsWith('km') ? String(n).replace(/[0-9]/g, (d) => KHMER_DIGITS[Number(d)]!) : String(n);

/** Draws the current video picture at `width` px wide and encodes it as JPEG (base64). */
function snapshot(video: HTMLVideoElement, canvas: HTMLCanvasElement, maxSide: number, quality: number) {
  const scale = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
  const width = Math.max(1, Math.round(video.videoWidth * scale));
  const height = Math.max(1, Math.round(video.videoHeight * scale));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  canvas.getContext('2d')?.drawImage(video, 0, 0, width, height);
  const started = performance.now();
  // toBlob copies the canvas at once, so the canvas can be drawn again before the JPEG is ready.
  return canvasToJpeg(canvas, quality).then((blob) => {
    recordTiming('frame-encode', performance.now() - started);
    return blobToBase64(blob);
  });
}

export default function LivenessRecorder(props: {
  actions: string[];
  /** The server's windows for a timed challenge (ms from the start of the recording). */
  steps?: ChallengeStep[];
  onResult(r: LivenessResult): void;
  onCancel(): void;
}): JSX.Element {
  const { t, i18n } = useTranslation();
  const camera = useCamera({ facingMode: 'user', width: 640, height: 480 });
  const actionsKey = `${props.actions.join(',')}|${(props.steps ?? []).map((s) => s.endMs).join(',')}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the plan changes only when the challenge does
  const plan = useMemo(() => livenessPlan(props.actions, props.steps), [actionsKey]);
  const [phase, setPhase] = useState<Phase>('ready');
  const [stepIndex, setStepIndex] = useState(0);
  const recording = useRef<Recording | null>(null);
  const frameCanvas = useRef<HTMLCanvasElement | null>(null);
  const selfieCanvas = useRef<HTMLCanvasElement | null>(null);
  const onResult = useRef(props.onResult);
  onResult.current = props.onResult;
  const { videoRef, status, stop } = camera;
  const live = status === 'live';

  const abort = useCallback((next: Phase) => {
    const rec = recording.current;
    if (!rec || rec.over) return;
    rec.over = true;
    clearInterval(rec.timer);
    recording.current = null;
    setStepIndex(0);
    setPhase(next);
  }, []);

  const finish = useCallback(
    async (rec: Recording) => {
      rec.over = true;
      clearInterval(rec.timer);
      setPhase('processing');
      try {
        const frames = await Promise.all(rec.frames);
        const selfie = await (rec.selfie ?? Promise.reject(new Error('no selfie')));
        if (recording.current !== rec) return;
        recording.current = null;
        if (frames.length < MIN_FRAMES) throw new Error('too few frames');
        stop();
        onResult.current({ selfie, frames });
      } catch {
        if (recording.current === rec) recording.current = null;
        setStepIndex(0);
        setPhase('failed');
      }
    },
    [stop],
  );

  const start = useCallback(() => {
    const video = videoRef.current;
    if (!live || !video || video.videoWidth === 0 || recording.current) return;
    if (phase !== 'ready' && phase !== 'too_early' && phase !== 'failed') return;
    frameCanvas.current ??= document.createElement('canvas');
    selfieCanvas.current ??= document.createElement('canvas');
    const frames = frameCanvas.current;
    const selfie = selfieCanvas.current;
    const rec: Recording = { startedAt: performance.now(), frames: [], lastT: -1, over: false };
    const sample = () => {
      if (rec.over) return;
      // The recording's clock starts at its first frame (the server reads frame times from it).
      if (rec.lastT < 0) rec.startedAt = performance.now();
      const elapsed = performance.now() - rec.startedAt;
      if (elapsed >= plan.duration) {
        void finish(rec);
        return;
      }
      setStepIndex(stepIndexAt(plan, elapsed));
      if (rec.frames.length < plan.maxFrames) {
        const t = Math.max(rec.lastT + 1, Math.floor(elapsed));
        rec.lastT = t;
        rec.frames.push(snapshot(video, frames, FRAME_WIDTH, FRAME_QUALITY).then((image) => ({ t, image })));
      }
      if (!rec.selfie && elapsed >= plan.selfieAt) {
        rec.selfie = snapshot(video, selfie, SELFIE_MAX_SIDE, SELFIE_QUALITY);
      }
    };
    rec.timer = setInterval(sample, plan.interval);
    recording.current = rec;
    setStepIndex(0);
    setPhase('recording');
    sample();
  }, [finish, live, phase, plan, videoRef]);

  const release = useCallback(() => abort('too_early'), [abort]);

  // Leaving the page (or the screen) while recording ends the recording.
  useEffect(() => {
    const onHidden = () => {
      if (document.hidden) abort('too_early');
    };
    document.addEventListener('visibilitychange', onHidden);
    return () => {
      document.removeEventListener('visibilitychange', onHidden);
      const rec = recording.current;
      if (rec) {
        rec.over = true;
        clearInterval(rec.timer);
      }
    };
  }, [abort]);

  const onPointerDown = (event: PointerEvent<HTMLButtonElement>) => {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    event.preventDefault();
    try {
      event.currentTarget.setPointerCapture(event.pointerId);
    } catch {
      // Capture is a convenience (the finger may slide off the button); recording works without it.
    }
    start();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== ' ' && event.key !== 'Enter') return;
    event.preventDefault();
    if (!event.repeat) start();
  };
  const onKeyUp = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key !== ' ' && event.key !== 'Enter') return;
    event.preventDefault();
    release();
  };

  const problem = status !== 'starting' && status !== 'live' && status !== 'stopped' ? status : undefined;
  const recordingNow = phase === 'recording';
  const shownIndex = recordingNow ? stepIndex : 0;
  const step = plan.steps[shownIndex]!;
  const total = plan.steps.length;

  return (
    <section className="cdk-cam cdk-cam-liveness" data-camera="liveness" data-phase={phase}>
      <h2>{t('camera.liveness.title')}</h2>
      {problem ? <CameraProblemPanel problem={problem} onRetry={camera.retry} /> : null}
      {/* Always rendered (hidden on a problem): the camera needs its video element to retry. */}
      <div
        className="cdk-cam-face"
        data-recording={recordingNow ? 'true' : 'false'}
        style={problem ? { display: 'none' } : undefined}
      >
        <video ref={videoRef} muted playsInline />
      </div>
      <div
        className="cdk-cam-instruction"
        data-action={step.kind}
        data-step={shownIndex}
        aria-live="assertive"
      >
        <ActionIcon action={step.kind} />
        <p>
          {t(`camera.liveness.action.${step.kind}`)}
          <small>
            {t('camera.liveness.step', {
              current: digitsFor(shownIndex + 1, i18n.language),
              total: digitsFor(total, i18n.language),
            })}
          </small>
        </p>
      </div>
      <ol className="cdk-cam-progress" aria-hidden="true">
        {plan.steps.map((s, i) => (
          <li
            key={`${s.kind}-${s.start}`}
            data-done={recordingNow && i < stepIndex ? 'true' : 'false'}
            data-current={recordingNow && i === stepIndex ? 'true' : 'false'}
          />
        ))}
      </ol>
      <p className="cdk-cam-status" role="status" aria-live="polite">
        {status === 'starting'
          ? t('camera.common.starting')
          : phase === 'processing'
            ? t('camera.liveness.processing')
            : phase === 'ready'
              ? t('camera.liveness.intro')
              : ''}
      </p>
      {phase === 'too_early' ? (
        <p className="cdk-cam-alert" role="alert">
          {t('camera.liveness.tooEarly')}
        </p>
      ) : null}
      {phase === 'failed' ? (
        <p className="cdk-cam-alert" role="alert">
          {t('camera.liveness.failed')}
        </p>
      ) : null}
      {/* Hold-to-record: press and hold; the recording ends when the steps are done or the button is let go. */}
      <button
        type="button"
        className="cdk-cam-hold"
        aria-pressed={recordingNow}
        disabled={!live || phase === 'processing'}
        onPointerDown={onPointerDown}
        onPointerUp={release}
        onPointerCancel={release}
        onLostPointerCapture={release}
        onKeyDown={onKeyDown}
        onKeyUp={onKeyUp}
        onBlur={release}
        onContextMenu={(event) => event.preventDefault()}
      >
        {recordingNow ? t('camera.liveness.recording') : t('camera.liveness.hold')}
      </button>
      <div className="cdk-cam-actions">
        <button type="button" onClick={props.onCancel}>
          {t('camera.common.cancel')}
        </button>
      </div>
    </section>
  );
}
