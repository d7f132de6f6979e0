/**
 * Opens a camera into a <video> element: rear or front camera by preference (never required, so a
 * laptop's only camera still works), an ideal resolution, muted inline playback. Reports why it
 * could not start (permission refused, no camera, camera busy, not a secure page, no camera API)
 * and stops every track on unmount, on `stop()`, and before a retry.
 */
import type { RefObject } from 'react';
import { useCallback, useEffect, useRef, useState } from 'react';

export type CameraProblem = 'denied' | 'not_found' | 'busy' | 'insecure' | 'unsupported' | 'ended' | 'failed';
export type CameraStatus = 'starting' | 'live' | 'stopped' | CameraProblem;

export interface CameraRequest {
  facingMode: 'user' | 'environment';
  width: number;
  height: number;
}

export interface Camera {
  videoRef: RefObject<HTMLVideoElement | null>;
  status: CameraStatus;
  /** The picture's size once live (it may differ from the request, e.g. turned in portrait). */
  size: { width: number; height: number } | null;
  /** Stops the tracks (the preview freezes). */
  stop(): void;
  /** Opens the camera again after a problem. */
  retry(): void;
}

/** Maps getUserMedia's DOMException names to what the citizen can do about them. */
export function cameraProblemOf(error: unknown): CameraProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'not_found';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function waitForMetadata(video: HTMLVideoElement): Promise<void> {
  if (video.readyState >= 1 && video.videoWidth > 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      video.removeEventListener('loadedmetadata', done);
      video.removeEventListener('error', fail);
      resolve();
    };
    const fail = () => {
      video.removeEventListener('loadedmetadata', done);
      video.removeEventListener('error', fail);
      reject(new Error('video error'));
    };
    video.addEventListener('loadedmetadata', done);
    video.addEventListener('error', fail);
  });
}

export function useCamera(request: CameraRequest): Camera {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const [status, setStatus] = useState<CameraStatus>('starting');
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { facingMode, width, height } = request;

  useEffect(() => {
    // A new attempt starts from scratch (the dependency only triggers the re-run).
    void attempt;
    let cancelled = false;
    let onResize: (() => void) | undefined;
    setStatus('starting');
    setSize(null);
    if (typeof window !== 'undefined' && window.isSecureContext === false) {
      setStatus('insecure');
      return;
    }
    const media = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
    if (!media || typeof media.getUserMedia !== 'function') {
      setStatus('unsupported');
      return;
    }
    const constraints: MediaStreamConstraints = {
      audio: false,
      video: { facingMode: { ideal: facingMode }, width: { ideal: width }, height: { ideal: height } },
    };
    media
      .getUserMedia(constraints)
      .then(async (stream) => {
        if (cancelled) {
          stopStream(stream);
          return;
        }
        streamRef.current = stream;
        for (const track of stream.getVideoTracks()) {
          track.addEventListener('ended', () => {
            if (!cancelled && streamRef.current === stream) setStatus('ended');
          });
        }
        const video = videoRef.current;
        if (!video) throw new Error('no video element');
        video.muted = true;
        video.playsInline = true;
        video.srcObject = stream;
        await waitForMetadata(video);
        await video.play().catch(() => undefined);
        if (cancelled) return;
        // The picture turns with the phone (720 × 1280 in portrait): follow its size.
        onResize = () => {
          if (!cancelled && video.videoWidth > 0)
            setSize({ width: video.videoWidth, height: video.videoHeight });
        };
        video.addEventListener('resize', onResize);
        onResize();
        setStatus('live');
      })
      .catch((error: unknown) => {
        if (!cancelled) setStatus(cameraProblemOf(error));
      });
    return () => {
      cancelled = true;
      const video = videoRef.current;
      if (video && onResize) video.removeEventListener('resize', onResize);
      if (video && video.srcObject === streamRef.current) video.srcObject = null;
      stopStream(streamRef.current);
      streamRef.current = null;
    };
  }, [facingMode, width, height, attempt]);

  const stop = useCallback(() => {
    stopStream(streamRef.current);
    streamRef.current = null;
    setStatus('stopped');
  }, []);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  return { videoRef, status, size, stop, retry };
}
