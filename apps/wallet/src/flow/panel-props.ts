/** What every panel of the step renderer receives from the flow screen. */
import type { AnyFlowView, UiAction, UiNode } from '../api/device-api';

export interface PanelProps {
  view: AnyFlowView;
  busy: boolean;
  /** Run a flow action; answers the server's answer, or undefined when it failed (the error is shown). */
  run: (action: UiAction, body?: unknown) => Promise<unknown>;
  /** The text of the last error about each field, by field name. */
  fieldErrors: Record<string, string>;
  /** Show an error the app found itself (e.g. the two PINs differ, the camera was refused). */
  fail: (error: unknown) => void;
  /** When each OTP channel may ask for a new code (epoch ms). */
  resendAt: Partial<Record<'phone' | 'email', number>>;
  /** Whether this phone has a platform authenticator (undefined while asking). */
  faceIdAvailable: boolean | undefined;
}

/** A long request in progress: the body going out (bytes), then the server judging it. */
export type UploadState = { phase: 'sending'; sent: number; total: number } | { phase: 'checking' };

/** One input drawn from a flow node: its value, its change, the server's error about it. */
export interface NodeFieldProps {
  node: UiNode;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  disabled: boolean;
}
