/**
 * The console's calls to the identity server (apps/server/src/console/console.routes.ts and the
 * administration API). The session is the HttpOnly `cdk_console` cookie (same origin); errors come
 * back as `{ error: { code, messageId, message: { km, en } } }` and are thrown as {@link ApiError}.
 */
import type { Expiry } from '@camdigikey/contracts/expiry';

export interface Officer {
  id: string;
  username: string;
  displayName: string;
  role: 'officer' | 'supervisor' | 'administrator';
}

export interface QueueCase {
  accountId: string;
  documentType: 'id_card' | 'passport';
  nationality: string;
  /** Review flags (`mrz_mismatch` with its fields, `resubmitted` with the part, …). */
  flags: ({ type: string; fields?: string[]; part?: string } | string)[];
  submittedAt: string;
  reviewDeadline: string;
  workingMsLeft: number;
  sla: 'on_time' | 'at_risk' | 'breached';
  claimedBy: string | null;
}

export interface Evidence {
  kind: string;
  status: 'pass' | 'fail' | 'review' | 'error' | string;
  score: number | null;
  details: Record<string, unknown>;
  provenance: Record<string, unknown>;
  computedAt: string;
}

export interface CaseFile {
  accountId: string;
  status: string;
  submittedAt: string;
  reviewDeadline: string;
  form: Record<string, string | null>;
  mrz: string[];
  mrzFields: Record<string, string> | null;
  flags: { type: string; fields?: string[]; part?: string }[];
  registry: Record<string, string | boolean | null> | null;
  registryStatus: 'found' | 'not_found' | 'unavailable' | 'not_applicable';
  evidence: Evidence[];
  decisions: {
    id: string;
    decision: string;
    reasonCode: string | null;
    part: string | null;
    note: string | null;
    state: string;
    officerId: string;
    officerName: string | null;
    createdAt: string;
    decidedAt: string | null;
  }[];
  history: { at: string; action: string; actorType: string }[];
  media: {
    documentPhoto: string | null;
    selfie: string | null;
    liveness: string | null;
    registryPortrait: string | null;
  };
  thresholds: Record<string, number | string>;
}

export interface LivenessRecording {
  challenge: { actions: string[]; issuedAt: string; receivedAt: string };
  frames: { t: number; mediaType: string; data: string }[];
}

export interface Dashboard {
  pending: number;
  onTime: number;
  atRisk: number;
  breached: number;
  days: { day: string; decisions: number; medianWorkingMinutes: number | null }[];
  workload: {
    officerId: string;
    displayName: string;
    role: string;
    claimed: number;
    decisionsToday: number;
    decisions7d: number;
  }[];
  approvalSample: { accountId: string; decidedAt: string | null; officerName: string }[];
}

export interface SecondOpinion {
  decisionId: string;
  accountId: string;
  officerId: string;
  officerName: string;
  reasonCode: string | null;
  note: string | null;
  createdAt: string;
}

export interface RecoveryReferral {
  id: string;
  accountId: string;
  reason: string;
  createdAt: string;
  name: { latin: string; khmer: string };
  document: { type: string; numberHint: string };
  phone: string;
  accountStatus: string;
  attempts: { at: string; outcome: string; details: Record<string, unknown> }[];
}

export interface OfficerRow {
  id: string;
  username: string;
  displayName: string;
  role: string;
  status: string;
  locked: boolean;
  createdAt: string;
}

export interface Holiday {
  date: string;
  nameKm: string;
  nameEn: string;
}

export interface Settings {
  slaWorkingHours: number;
  /** ISO weekdays, 1 = Monday. */
  workingDays?: number[];
  workingPeriods?: { start: string; end: string }[];
  utcOffsetMinutes?: number;
  /** The shape first announced for the console (kept readable if the server answers it). */
  workingHours?: { start: string; end: string; timeZone?: string; lunch?: { start: string; end: string } };
  thresholds: Record<string, number | string>;
  /** `configuration`: the thresholds come from the deployment and cannot be changed here. */
  source?: string;
}

export interface RelyingParty {
  clientId: string;
  organisation: string;
  appName: string;
  appNameKm?: string | null;
  domain: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  allowedScopes: string[];
  tokenEndpointAuthMethod?: string;
  subjectType?: string;
  logoUrl?: string | null;
  privacyPolicyUrl?: string | null;
  status: 'active' | 'suspended';
  createdAt?: string;
}

/** The scopes a relying party may be allowed (apps/server/src/oidc/relying-parties.ts). */
export const SCOPES = ['openid', 'profile', 'email', 'phone', 'personal_code', 'face', 'open_kyc'] as const;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: { km: string; en: string } | undefined,
  ) {
    super(code);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers:
      body === undefined
        ? { accept: 'application/json' }
        : { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: { km: string; en: string } } }
    | undefined;
  if (!response.ok)
    throw new ApiError(response.status, json?.error?.code ?? 'internal_error', json?.error?.message);
  return json as T;
}

const C = '/api/console/v1';
export const api = {
  signIn: (username: string, password: string, totp: string) =>
    call<{ officer: Officer }>('POST', `${C}/session`, { username, password, totp }),
  me: () => call<Officer>('GET', `${C}/me`),
  signOut: () => call<unknown>('DELETE', `${C}/session`),
  queue: (filter: { documentType?: string; nationality?: string; flag?: string }) => {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as [string, string][]);
    return call<{ cases: QueueCase[] }>('GET', `${C}/queue${q.size ? `?${q}` : ''}`);
  },
  claim: (accountId: string) => call<unknown>('POST', `${C}/cases/${accountId}/claim`, {}),
  caseFile: (accountId: string) => call<CaseFile>('GET', `${C}/cases/${accountId}`),
  liveness: (url: string) => call<LivenessRecording>('GET', url),
  decide: (
    accountId: string,
    body: { decision: string; reasonCode?: string; part?: string; note?: string },
  ) => call<{ decisionId: string; state: string }>('POST', `${C}/cases/${accountId}/decision`, body),
  secondOpinions: () => call<{ items: SecondOpinion[] }>('GET', `${C}/second-opinions`),
  secondOpinion: (decisionId: string, confirm: boolean) =>
    call<unknown>('POST', `${C}/decisions/${decisionId}/second-opinion`, { confirm }),
  recoveryReferrals: () => call<{ referrals: RecoveryReferral[] }>('GET', `${C}/recovery-referrals`),
  resolveReferral: (id: string, decision: 'retry_allowed' | 'refused', note: string) =>
    call<unknown>('POST', `${C}/recovery-referrals/${id}`, { decision, ...(note ? { note } : {}) }),
  dashboard: () => call<Dashboard>('GET', `${C}/dashboard`),
  settings: () => call<Settings>('GET', `${C}/settings`),
  officers: () => call<{ officers: OfficerRow[] }>('GET', `${C}/officers`),
  expiries: () =>
    call<{ warningDays: number; criticalDays: number; items: Expiry[] }>('GET', `${C}/expiries`),
  createOfficer: (body: { username: string; displayName: string; role: string; password: string }) =>
    call<{ id: string; otpauthUri: string }>('POST', `${C}/officers`, body),
  holidays: (year: number) =>
    call<{ year: number; holidays: Holiday[] }>('GET', `/api/admin/v1/holidays/${year}`),
  saveHolidays: (year: number, holidays: Holiday[]) =>
    call<unknown>('PUT', `/api/admin/v1/holidays/${year}`, { holidays }),
  relyingParties: () => call<{ relyingParties: RelyingParty[] }>('GET', '/api/admin/v1/relying-parties'),
  createRelyingParty: (body: Record<string, unknown>) =>
    call<{ clientId: string; clientSecret?: string }>('POST', '/api/admin/v1/relying-parties', body),
  setRelyingPartyStatus: (clientId: string, status: 'active' | 'suspended') =>
    call<RelyingParty>('PATCH', `/api/admin/v1/relying-parties/${clientId}`, { status }),
  rotateSecret: (clientId: string) =>
    call<{ clientSecret: string }>('POST', `/api/admin/v1/relying-parties/${clientId}/secret`, {}),
  issueClientApi: (clientId: string, body: { successCallbackUrl: string; errorCallbackUrl: string }) =>
    call<{
      clientId: string;
      domain: string;
      serverUrl: string;
      hmacKey: string;
      secretKey: string;
      ivParam: string;
      keystore: { fileName: string; password: string; base64: string };
      truststore: { fileName: string; password: string; base64: string };
    }>('POST', `/api/admin/v1/relying-parties/${clientId}/client-api`, body),
};
