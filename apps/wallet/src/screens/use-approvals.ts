/**
 * The backchannel (CIBA) requests waiting for this citizen: the list, refreshed whenever the
 * signed approvals stream announces a new one while the app is open.
 */
import { useCallback, useEffect, useState } from 'react';
import { type Approval, deviceApi } from '../api/device-api';

export function useApprovals(enabled: boolean) {
  const [approvals, setApprovals] = useState<Approval[]>();
  const [error, setError] = useState<unknown>();

  const reload = useCallback(async () => {
    try {
      setApprovals((await deviceApi.approvals()).approvals);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    void reload();
    return deviceApi.approvalsStream({
      onEvent: (name) => {
        if (name === 'approval') void reload();
      },
    });
  }, [enabled, reload]);

  return { approvals, error, reload, setApprovals };
}
