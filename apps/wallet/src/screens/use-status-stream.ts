/**
 * The account status, live: the signed event stream of the server (status changes are pushed,
 * no polling), kept in the session (and IndexedDB) so the last status shows without a connection.
 */
import { useEffect, useState } from 'react';
import { type AccountStatusView, deviceApi } from '../api/device-api';
import { useSession } from '../session';

export function useStatusStream(enabled = true): { connected: boolean } {
  const { updateStatus, forgetAccount } = useSession();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    return deviceApi.statusStream({
      onEvent: (name, data) => {
        if (name === 'status' && typeof data === 'object' && data !== null && 'status' in data)
          void updateStatus(data as AccountStatusView);
      },
      onConnection: setConnected,
      onFatal: () => void forgetAccount(),
    });
  }, [enabled, updateStatus, forgetAccount]);
  return { connected };
}
