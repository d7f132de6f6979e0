/** An audit entry for something a citizen's registered device did to its own account. */
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';

export function recordDeviceAudit(
  deps: Deps,
  request: { ip: string; id: string },
  device: { deviceId: string; accountId: string },
  action: string,
  details: Record<string, unknown> = {},
) {
  return recordAudit(
    deps.db,
    {
      actorType: 'device',
      actorId: device.deviceId,
      action,
      subjectType: 'account',
      subjectId: device.accountId,
      ip: request.ip,
      device: device.deviceId,
      requestId: request.id,
      details,
    },
    deps.clock.now(),
  );
}
