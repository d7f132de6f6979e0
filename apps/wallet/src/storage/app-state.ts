/**
 * What the app remembers between launches, in IndexedDB (never a secret: the PIN is never kept,
 * OTPs are never kept; the device key is stored separately by device-key.ts):
 *
 *   flow:<kind>   the registration or recovery flow in progress (its id), to resume after a reload
 *   account       this phone is the device of an account (after submission or recovery)
 *   status        the last account status seen, for display without a connection
 *   profile       the citizen's names and document as entered at registration (for "Me")
 *   push          whether this phone is subscribed to Web Push
 *   upload:<kind> a capture on its way to the server (the face recording, the document photo),
 *                 kept until the server has answered, so a dropped connection sends it again
 *                 instead of asking the citizen to film or photograph again
 */
import type { AccountStatusView, FlowKind } from '../api/device-api';
import { kvDelete, kvGet, kvSet } from './idb';

export interface StoredFlow {
  id: string;
  startedAt: string;
}

export interface StoredAccount {
  accountId?: string;
  /** Face ID (a WebAuthn platform credential) was registered on this phone. */
  faceId: boolean;
  since: string;
  via: FlowKind;
}

export interface StoredStatus {
  view: AccountStatusView;
  at: string;
}

export interface Profile {
  khmerSurname?: string;
  khmerGivenName?: string;
  latinSurname?: string;
  latinGivenName?: string;
  gender?: string;
  birthDate?: string;
  documentType?: string;
  documentNumber?: string;
  expiryDate?: string;
  nationality?: string;
}

/** A flow action with a large body, kept on the phone until the server answers it. */
export interface KeptUpload {
  flowId: string;
  /** The action's name and URL (as the flow view listed it). */
  name: string;
  href: string;
  body: unknown;
  savedAt: string;
}

export const appState = {
  flow: (kind: FlowKind) => kvGet<StoredFlow>(`flow:${kind}`),
  saveFlow: (kind: FlowKind, id: string) =>
    kvSet(`flow:${kind}`, { id, startedAt: new Date().toISOString() } satisfies StoredFlow),
  clearFlow: (kind: FlowKind) => kvDelete(`flow:${kind}`),

  account: () => kvGet<StoredAccount>('account'),
  saveAccount: (account: StoredAccount) => kvSet('account', account),
  clearAccount: async () => {
    await kvDelete('account');
    await kvDelete('status');
    await kvDelete('profile');
    await kvDelete('push');
  },

  status: () => kvGet<StoredStatus>('status'),
  saveStatus: (view: AccountStatusView) =>
    kvSet('status', { view, at: new Date().toISOString() } satisfies StoredStatus),

  profile: () => kvGet<Profile>('profile'),
  saveProfile: (profile: Profile) => kvSet('profile', profile),

  keptUpload: (kind: FlowKind) => kvGet<KeptUpload>(`upload:${kind}`),
  keepUpload: (kind: FlowKind, upload: Omit<KeptUpload, 'savedAt'>) =>
    kvSet(`upload:${kind}`, { ...upload, savedAt: new Date().toISOString() } satisfies KeptUpload),
  dropUpload: (kind: FlowKind) => kvDelete(`upload:${kind}`),

  push: () => kvGet<{ subscribed: boolean }>('push'),
  savePush: (subscribed: boolean) => kvSet('push', { subscribed }),
};
