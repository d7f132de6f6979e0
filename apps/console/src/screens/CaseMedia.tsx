/**
 * A case's media: images zoomable (click to zoom in, drag or scroll to pan, or the slider) and the
 * liveness recording as a frame player (play, pause, scrub) with the challenged actions listed and
 * the failed one marked.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Evidence, type LivenessRecording } from '../api';
import type { MessageKey } from '../i18n';
import { Badge, useT } from '../ui';

export function ZoomImage({ src, label, id }: { src: string; label: string; id: string }) {
  const { t, n } = useT();
  const [zoom, setZoom] = useState(1);
  const frame = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; y: number; left: number; top: number; moved: boolean } | undefined>(
    undefined,
  );
  // Zoomed, the image grows inside a scrollable frame: click to zoom in (and back out at 4×), drag,
  // scroll or use the keys to pan, or set the zoom with the slider.
  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    const el = frame.current;
    if (el)
      drag.current = { x: e.clientX, y: e.clientY, left: el.scrollLeft, top: el.scrollTop, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    const el = frame.current;
    if (!start || !el || e.buttons === 0) return;
    const dx = e.clientX - start.x;
    const dy = e.clientY - start.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) start.moved = true;
    el.scrollLeft = start.left - dx;
    el.scrollTop = start.top - dy;
  };
  const onClick = () => {
    if (!drag.current?.moved) setZoom((z) => (z >= 4 ? 1 : z + 1));
    drag.current = undefined;
  };
  return (
    <figure className="zoom">
      <figcaption>{label}</figcaption>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: pointer panning; the slider below is the keyboard control */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the zoom slider below is the keyboard control */}
      <div
        className={`zoom-frame${zoom > 1 ? ' zoomed' : ''}`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a zoomed photo scrolls; the keyboard must reach it (WCAG 2.1.1)
        tabIndex={0}
        ref={frame}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onClick={onClick}
      >
        <img id={id} src={src} alt={label} draggable={false} style={{ width: `${zoom * 100}%` }} />
      </div>
      <label>
        {t('case.zoom')} ({n(zoom.toFixed(2))}×)
        <input
          type="range"
          min={1}
          max={4}
          step={0.25}
          value={zoom}
          onChange={(e) => setZoom(Number(e.target.value))}
        />
      </label>
    </figure>
  );
}

export function LivenessPlayer({ url, evidence }: { url: string; evidence: Evidence | undefined }) {
  const { t } = useT();
  const [recording, setRecording] = useState<LivenessRecording | undefined>();
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => {
    api
      .liveness(url)
      .then(setRecording)
      .catch(() => undefined);
  }, [url]);
  const stop = useCallback(() => {
    clearInterval(timer.current);
    setPlaying(false);
  }, []);
  useEffect(() => stop, [stop]);
  if (!recording || recording.frames.length === 0) return null;
  const frames = recording.frames;
  const frame = frames[Math.min(index, frames.length - 1)]!;
  const play = () => {
    setPlaying(true);
    timer.current = setInterval(() => {
      setIndex((i) => {
        if (i + 1 >= frames.length) {
          stop();
          return i;
        }
        return i + 1;
      });
    }, 150);
  };
  const failed = evidence?.details.failedAction as string | null | undefined;
  return (
    <section className="liveness" id="liveness">
      <h2>{t('case.liveness')}</h2>
      <p>
        {t('case.liveness_actions')}:{' '}
        {recording.challenge.actions
          .map((action, i) => ({ action, step: i + 1 }))
          .map(({ action, step }) => (
            <Badge key={step} tone={action === failed ? 'bad' : 'neutral'}>
              {step}. {t(`action.${action}` as MessageKey)}
            </Badge>
          ))}
      </p>
      {failed && (
        <p className="error">{t('case.failed_action', { action: t(`action.${failed}` as MessageKey) })}</p>
      )}
      <img
        className="frame"
        src={`data:${frame.mediaType};base64,${frame.data}`}
        alt={t('case.frame', { n: index + 1, total: frames.length })}
      />
      <div className="player">
        <button type="button" onClick={playing ? stop : play}>
          {playing ? t('case.pause') : t('case.play')}
        </button>
        <input
          type="range"
          min={0}
          max={frames.length - 1}
          value={index}
          aria-label={t('case.frame', { n: index + 1, total: frames.length })}
          onChange={(e) => setIndex(Number(e.target.value))}
        />
        <span>{t('case.frame', { n: index + 1, total: frames.length })}</span>
      </div>
    </section>
  );
}
