/**
 * The camera components (apps/wallet/src/camera/, QR, document MRZ and liveness), loaded only
 * when a screen opens the camera, so the first load stays small. Each opens full screen.
 */
import { lazy, type ReactNode, Suspense } from 'react';
import { Loading } from './components';

export const QrScanner = lazy(() => import('../camera/QrScanner'));
export const DocumentScanner = lazy(() => import('../camera/DocumentScanner'));
export const LivenessRecorder = lazy(() => import('../camera/LivenessRecorder'));

export type DocumentScan = {
  mrz: string;
  format: 'TD1' | 'TD3';
  fields: Record<string, string>;
  photoBase64: string;
};
export type LivenessResult = { selfie: string; frames: { t: number; image: string }[] };

export function CameraLayer({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <div className="camera-layer" data-testid={testId}>
      <Suspense fallback={<Loading label="common.camera_loading" />}>{children}</Suspense>
    </div>
  );
}
