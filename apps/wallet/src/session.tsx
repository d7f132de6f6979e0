/**
 * What the whole app knows about this phone: whether it is an account's device, the account's
 * last known status (kept for display without a connection) and the flows in progress. Loaded
 * once from IndexedDB at start; every change is written back.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type AccountStatusView, deviceApi, type FlowKind } from './api/device-api';
import { codeOf } from './api/errors';
import { appState, type StoredAccount, type StoredFlow, type StoredStatus } from './storage/app-state';

export interface Session {
  ready: boolean;
  account: StoredAccount | undefined;
  status: StoredStatus | undefined;
  flows: Partial<Record<FlowKind, StoredFlow>>;
  /** This phone's key was refused as unknown (e.g. the account was recovered on another phone). */
  revoked: boolean;
  becomeDevice(account: StoredAccount, status?: AccountStatusView): Promise<void>;
  updateStatus(view: AccountStatusView): Promise<void>;
  refreshStatus(): Promise<AccountStatusView | undefined>;
  setFlow(kind: FlowKind, id: string | undefined): Promise<void>;
  forgetAccount(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [ready, setReady] = useState(false);
  const [account, setAccount] = useState<StoredAccount>();
  const [status, setStatus] = useState<StoredStatus>();
  const [flows, setFlows] = useState<Partial<Record<FlowKind, StoredFlow>>>({});
  const [revoked, setRevoked] = useState(false);

  useEffect(() => {
    void (async () => {
      try {
        const [a, s, registration, recovery] = await Promise.all([
          appState.account(),
          appState.status(),
          appState.flow('registration'),
          appState.flow('recovery'),
        ]);
        setAccount(a);
        setStatus(s);
        setFlows({ ...(registration ? { registration } : {}), ...(recovery ? { recovery } : {}) });
      } finally {
        setReady(true);
      }
    })();
  }, []);

  const updateStatus = useCallback(async (view: AccountStatusView) => {
    setStatus({ view, at: new Date().toISOString() });
    await appState.saveStatus(view);
    const stored = await appState.account();
    if (stored && !stored.accountId) {
      const next = { ...stored, accountId: view.accountId };
      await appState.saveAccount(next);
      setAccount(next);
    }
  }, []);

  const becomeDevice = useCallback(
    async (next: StoredAccount, view?: AccountStatusView) => {
      await appState.saveAccount(next);
      setAccount(next);
      setRevoked(false);
      if (view) await updateStatus(view);
    },
    [updateStatus],
  );

  const refreshStatus = useCallback(async () => {
    try {
      const view = await deviceApi.status();
      await updateStatus(view);
      return view;
    } catch (error) {
      if (codeOf(error) === 'device_key_unknown') setRevoked(true);
      return undefined;
    }
  }, [updateStatus]);

  const setFlow = useCallback(async (kind: FlowKind, id: string | undefined) => {
    if (id) await appState.saveFlow(kind, id);
    else await appState.clearFlow(kind);
    setFlows((current) => {
      const next = { ...current };
      if (id) next[kind] = { id, startedAt: new Date().toISOString() };
      else delete next[kind];
      return next;
    });
  }, []);

  const forgetAccount = useCallback(async () => {
    await appState.clearAccount();
    setAccount(undefined);
    setStatus(undefined);
    setRevoked(false);
  }, []);

  const value = useMemo<Session>(
    () => ({
      ready,
      account,
      status,
      flows,
      revoked,
      becomeDevice,
      updateStatus,
      refreshStatus,
      setFlow,
      forgetAccount,
    }),
    [
      ready,
      account,
      status,
      flows,
      revoked,
      becomeDevice,
      updateStatus,
      refreshStatus,
      setFlow,
      forgetAccount,
    ],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
