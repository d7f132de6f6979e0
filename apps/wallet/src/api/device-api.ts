/**
 * Every device API call the app makes, typed (the server files are the truth: flows/registration
 * and flows/recovery routes, accounts/*.routes.ts, login/device-login.routes.ts,
 * client-api/app-login.routes.ts, oidc/backchannel.ts, push/push.routes.ts). Types only are
 * imported from packages/contracts, so its schemas never reach the bundle.
 */
import type { RecoveryFlowView } from '@camdigikey/contracts/recovery';
import type { FlowView } from '@camdigikey/contracts/registration';
import type { SignStatement } from '@camdigikey/contracts/signing-statement';
import { deviceKey } from '../device/device-key';
import { DeviceClient, type Method, type UploadProgress } from './device-client';

export type { UploadProgress } from './device-client';

import { openDeviceStream, type StreamHandlers } from './event-stream';

export type { RecoveryFlowView } from '@camdigikey/contracts/recovery';
export type { FlowView, UiAction, UiMessage, UiNode } from '@camdigikey/contracts/registration';

/** A registration or a recovery flow view: the step renderer draws both. */
export type AnyFlowView = FlowView | RecoveryFlowView;
export type FlowKind = AnyFlowView['kind'];

export interface LivenessChallenge {
  id: string;
  actions: string[];
  /** Each action's window, ms from the start of the recording (timed challenges). */
  steps?: { action: string; startMs: number; endMs: number }[];
  issuedAt: string;
  expiresAt: string;
}

export type AccountStatus =
  | 'pending_review'
  | 'active'
  | 'rejected'
  | 'suspended'
  | 'locked'
  | 'resubmission_requested';

export interface AccountStatusView {
  accountId: string;
  status: AccountStatus;
  messageId: string;
  reviewDeadline: string;
  submittedAt: string;
  decidedAt: string | null;
  resubmission: { part: 'document_photo' | 'liveness'; messageId: string } | null;
  /** Not sent by the server yet: the officer's rejection reason code, shown when present. */
  reasonCode?: string;
}

export interface RelyingPartyInfo {
  name?: string | null;
  nameKm?: string | null;
  organisation?: string | null;
  organisationKm?: string | null;
  domain?: string | null;
  logoUrl?: string | null;
}

export interface ClaimedLogin {
  requestId: string;
  relyingParty: RelyingPartyInfo;
  choices: string[];
  expiresAt: string;
}

export interface Approval {
  id: string;
  bindingMessage: string;
  scope: string[];
  relyingParty: RelyingPartyInfo;
  expiresAt: string;
}

/** A signature request waiting for this citizen (signing/device.routes.ts). */
export interface SignatureRequest {
  id: string;
  kind: 'signature';
  statement: SignStatement;
  relyingParty: RelyingPartyInfo;
  verificationCode: string;
  expiresAt: string;
}

/** The same, opened on this phone: its certificate and the exact bytes to sign (base64url DER). */
export interface PreparedSignature extends SignatureRequest {
  certificate: string;
  toBeSigned: { statement: string; pades?: string };
}

/** One entry of "Me" → signatures. */
export interface SignatureRecord {
  id: string;
  state: 'pending' | 'signed' | 'declined' | 'expired';
  notMe: boolean;
  relyingParty: RelyingPartyInfo;
  text: { km?: string; en?: string };
  format: 'plain' | 'markdown';
  documentName: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface HistoryEvent {
  at: string;
  action: string;
  clientId?: string;
  method?: string;
  released?: string[];
  thisDevice: boolean;
}

export interface Connection {
  clientId: string;
  name?: string | null;
  nameKm?: string | null;
  domain?: string | null;
  scopes: string[];
  via: string[];
}

export interface ResubmissionStart {
  part: 'document_photo' | 'liveness';
  messageId: string;
  challenge?: LivenessChallenge;
}

export interface ExportedAccount {
  id: string;
  status: string;
  phone: string;
  email: string;
  khmerSurname: string | null;
  khmerGivenName: string | null;
  latinSurname: string | null;
  latinGivenName: string | null;
  gender: string | null;
  birthDate: string | null;
  nationality: string | null;
  document: { type: string; issuingState: string; number: string; issueDate: string; expiryDate: string };
}

/** The citizen's card on the home screen (accounts/card.routes.ts). */
export interface AccountCard {
  camdigikeyId: string;
  status: AccountStatus;
  messageId: string;
  khmerName: string | null;
  latinName: string | null;
  /** The enrolled face photo as a data URI, or null. */
  photo: string | null;
}

export interface LivenessUpload {
  challengeId: string;
  selfie: string;
  frames: { t: number; image: string }[];
}

/** A relying party signed in through a single-sign-on session (accounts/sessions.routes.ts). */
export interface SessionRelyingParty {
  clientId: string;
  name?: string | null;
  nameKm?: string | null;
  domain?: string | null;
}

/** An active single-sign-on session of the account (a browser signed in through CamDigiKey). */
export interface SsoSession {
  /** The session's uid: what `DELETE /me/sessions/:uid` takes. */
  id: string;
  startedAt: string | null;
  expiresAt: string | null;
  acr: string | null;
  /** How the login was made, e.g. `['qr', 'face', 'hwk', 'user']` or `['qr', 'pin', 'hwk']`. */
  amr: string[];
  relyingParties: SessionRelyingParty[];
  /** Not sent by the server yet: whether the session was started on this phone, shown when present. */
  thisDevice?: boolean;
}

/** What signing out answers: how many sessions ended, the relying parties told by back-channel. */
export interface SessionsEnded {
  ended: number;
  notified: string[];
}

/** A device of the account (accounts/devices.routes.ts); the server keeps no name or platform. */
export interface AccountDevice {
  id: string;
  createdAt: string;
  lastSeenAt: string | null;
  thisDevice: boolean;
  faceId: boolean;
}

/** The address being changed: `sms` is the phone number. */
export type ContactChannel = 'sms' | 'email';

/** A phone number or e-mail change in progress (accounts/contact-change.ts). */
export interface ContactChange {
  id: string;
  channel: ContactChannel;
  state: 'awaiting_code' | 'changed';
  /** The new address (a phone number is masked). */
  target: string;
  /** When a code was just sent: when a new one may be asked for, and when this one expires. */
  resendAt?: string;
  codeExpiresAt?: string;
}

/** Credentials for an approval: the PIN or a Face ID assertion (exactly one). */
export type ApprovalCredential = { pin: string } | { assertion: Record<string, unknown> };

const client = new DeviceClient({
  origin: typeof location === 'undefined' ? '' : location.origin,
  key: deviceKey,
});

const D = '/api/device/v1';
const call = <T>(method: Method, path: string, body?: unknown, onProgress?: (p: UploadProgress) => void) =>
  client.call<T>(method, path, body, onProgress);

export const deviceApi = {
  /** Any flow action the server listed in a view (`href` is its path). */
  flowAction: <T = AnyFlowView>(href: string, body: unknown = {}, onProgress?: (p: UploadProgress) => void) =>
    call<T>('POST', href, body, onProgress),
  startFlow: (kind: FlowKind, language: 'km' | 'en') =>
    call<AnyFlowView>('POST', `${D}/${kind}`, { language }),
  resumeFlow: (kind: FlowKind, id: string) => call<AnyFlowView>('GET', `${D}/${kind}/${id}`),

  status: () => call<AccountStatusView>('GET', `${D}/account/status`),
  statusStream: (handlers: StreamHandlers) =>
    openDeviceStream(client, `${D}/account/status/stream`, handlers),
  startResubmission: () => call<ResubmissionStart>('POST', `${D}/account/resubmission`, {}),
  resubmitDocumentPhoto: (photo: string, onProgress?: (p: UploadProgress) => void) =>
    call<AccountStatusView>('POST', `${D}/account/resubmission/document-photo`, { photo }, onProgress),
  resubmitLiveness: (upload: LivenessUpload, onProgress?: (p: UploadProgress) => void) =>
    call<AccountStatusView>('POST', `${D}/account/resubmission/liveness`, upload, onProgress),

  scanLogin: (qr: string) => call<ClaimedLogin>('POST', `${D}/login/scan`, { qr }),
  loginFaceIdOptions: (id: string) =>
    call<{ publicKey: Record<string, unknown> }>('POST', `${D}/login/${id}/face-id/options`, {}),
  approveLogin: (id: string, matchCode: string, credential: ApprovalCredential) =>
    call<{ state: 'approved' }>('POST', `${D}/login/${id}/approve`, { matchCode, ...credential }),
  rejectLogin: (id: string) => call<{ state: 'rejected' }>('POST', `${D}/login/${id}/reject`, {}),

  inspectAppLogin: (loginToken: string) =>
    call<{ relyingParty: RelyingPartyInfo }>('POST', `${D}/app-login/inspect`, { loginToken }),
  appLoginFaceIdOptions: (loginToken: string) =>
    call<{ publicKey: Record<string, unknown> }>('POST', `${D}/app-login/face-id/options`, { loginToken }),
  approveAppLogin: (loginToken: string, credential: ApprovalCredential, platform?: 'android' | 'ios') =>
    call<{ authToken: string; callbackUrl: string }>('POST', `${D}/app-login/approve`, {
      loginToken,
      ...credential,
      ...(platform ? { platform } : {}),
    }),
  rejectAppLogin: (loginToken: string, platform?: 'android' | 'ios') =>
    call<{ callbackUrl: string }>('POST', `${D}/app-login/reject`, {
      loginToken,
      ...(platform ? { platform } : {}),
    }),

  approvals: () => call<{ approvals: Approval[] }>('GET', `${D}/approvals`),
  approvalsStream: (handlers: StreamHandlers) => openDeviceStream(client, `${D}/approvals/stream`, handlers),
  approve: (id: string, pin: string) =>
    call<{ state: string }>('POST', `${D}/approvals/${encodeURIComponent(id)}/approve`, { pin }),
  reject: (id: string, notMe: boolean) =>
    call<{ state: string; blocked: boolean }>(
      'POST',
      `${D}/approvals/${encodeURIComponent(id)}/reject`,
      notMe ? { notMe: true } : {},
    ),

  signatureRequests: () => call<{ requests: SignatureRequest[] }>('GET', `${D}/signing/requests`),
  prepareSignature: (id: string) =>
    call<PreparedSignature>('POST', `${D}/signing/requests/${encodeURIComponent(id)}/prepare`, {}),
  approveSignature: (id: string, pin: string, signatures: { statement: string; pades?: string }) =>
    call<{ state: 'signed'; signedAt: string }>(
      'POST',
      `${D}/signing/requests/${encodeURIComponent(id)}/approve`,
      { pin, signatures },
    ),
  rejectSignature: (id: string, notMe: boolean) =>
    call<{ state: 'declined'; blocked: boolean }>(
      'POST',
      `${D}/signing/requests/${encodeURIComponent(id)}/reject`,
      notMe ? { notMe: true } : {},
    ),
  signatures: () => call<{ signatures: SignatureRecord[] }>('GET', `${D}/me/signatures`),

  pushKey: () => call<{ publicKey: string }>('GET', `${D}/push/key`),
  subscribePush: (subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
    call<{ subscribed: boolean }>('PUT', `${D}/push/subscription`, subscription),
  unsubscribePush: () => call<{ subscribed: boolean }>('DELETE', `${D}/push/subscription`),

  history: () => call<{ events: HistoryEvent[] }>('GET', `${D}/me/history`),
  connections: () => call<{ connections: Connection[] }>('GET', `${D}/me/connections`),
  revokeConnection: (clientId: string) =>
    call<{ revoked: boolean }>('DELETE', `${D}/me/connections/${encodeURIComponent(clientId)}`),
  changePin: (oldPin: string, newPin: string, newPinConfirmation: string) =>
    call<{ changed: boolean }>('POST', `${D}/me/pin`, { oldPin, newPin, newPinConfirmation }),
  lock: (pin: string) => call<{ status: 'locked' }>('POST', `${D}/me/lock`, { pin }),
  card: () => call<AccountCard>('GET', `${D}/me/card`),
  exportData: () => call<{ account: ExportedAccount } & Record<string, unknown>>('GET', `${D}/me/export`),

  sessions: () => call<{ sessions: SsoSession[] }>('GET', `${D}/me/sessions`),
  endSession: (uid: string) => call<SessionsEnded>('DELETE', `${D}/me/sessions/${encodeURIComponent(uid)}`),
  endAllSessions: () => call<SessionsEnded>('DELETE', `${D}/me/sessions`),

  devices: () => call<{ devices: AccountDevice[] }>('GET', `${D}/me/devices`),
  removeDevice: (id: string, pin: string) =>
    call<{ revoked: boolean }>('DELETE', `${D}/me/devices/${encodeURIComponent(id)}`, { pin }),
  faceIdOptions: (pin: string) =>
    call<{ enrolmentId: string; publicKey: Record<string, unknown> }>('POST', `${D}/me/face-id/options`, {
      pin,
    }),
  enableFaceId: (enrolmentId: string, credential: Record<string, unknown>) =>
    call<{ faceId: true }>('POST', `${D}/me/face-id`, { enrolmentId, credential }),
  disableFaceId: () => call<{ faceId: false }>('DELETE', `${D}/me/face-id`),

  startContactChange: (channel: ContactChannel, value: string, pin: string) =>
    call<ContactChange>('POST', `${D}/me/contact`, { channel, value, pin }),
  resendContactCode: (id: string) =>
    call<ContactChange>('POST', `${D}/me/contact/${encodeURIComponent(id)}/resend`, {}),
  verifyContactChange: (id: string, code: string) =>
    call<ContactChange>('POST', `${D}/me/contact/${encodeURIComponent(id)}/verify`, { code }),
};
