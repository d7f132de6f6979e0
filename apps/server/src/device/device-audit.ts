/** Audit entries for what a citizen's registered device did to its own account. */
import { type AuditInput, recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';

export interface DeviceActor {
  deviceId: string;
  accountId: string;
}

export function deviceAuditEntry(
  request: { ip: string; id: string },
  device: DeviceActor,
  action: string,
  details: Record<string, unknown> = {},
): AuditInput {
  return {
    actorType: 'device',
    actorId: device.deviceId,
    action,
    subjectType: 'account',
    subjectId: device.accountId,
    ip: request.ip,
    device: device.deviceId,
    requestId: request.id,
    details,
  };
}

/** Appends the entry in its own transaction (use `appendAudit(trx, deviceAuditEntry(…))` inside one). */
export function recordDeviceAudit(
  deps: Deps,
  request: { ip: string; id: string },
  device: DeviceActor,
  action: string,
  details: Record<string, unknown> = {},
) {
  return recordAudit(deps.db, deviceAuditEntry(request, device, action, details), deps.clock.now());
}
