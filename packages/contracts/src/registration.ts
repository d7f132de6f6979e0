/**
 * Request bodies and the flow view of the registration flow, shared by the server (validation)
 * and the app (forms). The schemas check shape and size only; the domain rules (phone numbers,
 * PIN policy, MRZ, Khmer names) answer with their own error codes on the server.
 */
import { z } from 'zod';

export const REGISTRATION_STATES = [
  'awaiting_phone',
  'awaiting_phone_code',
  'awaiting_email',
  'awaiting_email_code',
  'awaiting_pin',
  'awaiting_face_id',
  'awaiting_liveness',
  'awaiting_document',
  'awaiting_details',
  'awaiting_new_pin',
  'awaiting_consent',
  'awaiting_submission',
  'submitted',
] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/** Challenge actions ("left"/"right" are the citizen's own); blink is known but never issued (not verifiable). */
export const LIVENESS_ACTIONS = [
  'turn_left',
  'turn_right',
  'nod',
  'look_up',
  'tilt_left',
  'tilt_right',
  'open_mouth',
  'move_closer',
  'blink',
] as const;
export type LivenessAction = (typeof LIVENESS_ACTIONS)[number];

/**
 * The most frames a liveness recording may hold (registration, recovery, resubmission): what the app
 * sends at most (apps/wallet liveness-plan.ts MAX_FRAMES, a unit test keeps the two equal), and so
 * the most detections anyone can make the server run for one recording (each frame costs one,
 * ~70 ms of CPU: issue 14 item 7). The face engine's own limit (`maxFrames`, 60) is above it.
 */
export const LIVENESS_MAX_FRAMES = 40;
/** The fewest frames of a liveness recording the device API accepts. */
export const LIVENESS_MIN_FRAMES = 3;

const languageSchema = z.enum(['km', 'en']);
/** Standard base64 (or base64url) text, as the app sends photos and frames. */
const base64 = z
  .string()
  .min(16)
  .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'base64');
const isoDate = z.string().max(10);

export const startRegistrationBody = z.object({ language: languageSchema.default('km') }).strict();
export const phoneBody = z.object({ phone: z.string().min(1).max(32) }).strict();
export const emailBody = z.object({ email: z.string().min(3).max(254) }).strict();
export const codeBody = z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') }).strict();
export const emptyBody = z.object({}).strict();
export const pinBody = z.object({ pin: z.string().max(16), pinConfirmation: z.string().max(16) }).strict();
export const faceIdBody = z
  .object({
    credential: z
      .object({
        id: z.string().max(1024),
        rawId: z.string().max(1024),
        type: z.literal('public-key'),
        response: z
          .object({ clientDataJSON: z.string().max(8192), attestationObject: z.string().max(65536) })
          .loose(),
        authenticatorAttachment: z.string().optional(),
        clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
      })
      .loose(),
  })
  .strict();
export const livenessBody = z
  .object({
    challengeId: z.uuid(),
    selfie: base64,
    frames: z
      .array(z.object({ t: z.number().int().min(0).max(600_000), image: base64 }).strict())
      .min(LIVENESS_MIN_FRAMES)
      .max(LIVENESS_MAX_FRAMES),
  })
  .strict();
export const documentBody = z
  .object({
    mrz: z.string().min(1).max(200),
    photo: base64,
  })
  .strict();
export const detailsBody = z
  .object({
    khmerSurname: z.string().max(256).optional(),
    khmerGivenName: z.string().max(256).optional(),
    latinSurname: z.string().max(256).optional(),
    latinGivenName: z.string().max(256).optional(),
    documentNumber: z.string().max(64).optional(),
    birthDate: isoDate.optional(),
    issueDate: isoDate.optional(),
    expiryDate: isoDate.optional(),
    gender: z.string().max(16).optional(),
  })
  .strict();
export const consentBody = z.object({ accepted: z.boolean(), consentVersion: z.string().max(64) }).strict();

export type DetailsBody = z.infer<typeof detailsBody>;

/** One input or action of a step, as the app should draw it. */
export interface UiNode {
  name: string;
  type:
    | 'tel'
    | 'email'
    | 'otp'
    | 'pin'
    | 'text'
    | 'date'
    | 'select'
    | 'checkbox'
    | 'camera'
    | 'webauthn'
    | 'action';
  labelId: string;
  required?: boolean;
  value?: string | boolean;
  options?: { value: string; labelId: string }[];
  attributes?: Record<string, string | number | boolean>;
  messages?: UiMessage[];
}

export interface UiMessage {
  id: string;
  type: 'info' | 'error';
  context?: Record<string, string | number>;
}

export interface UiAction {
  name: string;
  method: 'GET' | 'POST';
  href: string;
  labelId: string;
}

/** What the app draws for a stored flow: registration by default, recovery with its own states. */
export interface FlowView<
  S extends string = RegistrationState,
  K extends 'registration' | 'recovery' = 'registration',
> {
  id: string;
  kind: K;
  state: S;
  language: 'km' | 'en';
  expiresAt: string;
  step: { index: number; total: number; titleId: string };
  ui: { nodes: UiNode[]; actions: UiAction[]; messages: UiMessage[] };
  /** What the citizen already entered (never a secret), so the app can resume. */
  values: Record<string, unknown>;
  account?: { id: string; status: string; reviewDeadline: string };
}
