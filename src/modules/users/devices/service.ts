// The devices an account has signed in from (sign-in registers them) and their push tokens:
// the list, forgetting one (its sessions end with it), and the push token the app
// registers or withdraws. A token moves to the account that registered it last.
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { notFound } from '../../../platform/errors.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import type { AuditPort, DeviceDto, DevicesPort, SessionsPort } from '../../auth/index.ts';
import type { PushTokenInput } from './schemas.ts';

export function createDevicesService(deps: {
  db: Database;
  clock: Clock;
  devices: DevicesPort;
  sessions: SessionsPort;
  audit: AuditPort;
}) {
  const { db, clock, devices, sessions, audit } = deps;

  return {
    listDevices: (caller: AuthContext) =>
      db.asUser(caller.userId, (tx) => devices.list(tx, caller.userId)),

    async deleteDevice(caller: AuthContext, id: string, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      const revoked = await db.asUser(caller.userId, async (tx) => {
        // Signing a device out is part of forgetting it.
        const ids = await sessions.end(tx, caller.userId, { deviceRef: id }, 'device_removed', now);
        if (!(await devices.delete(tx, caller.userId, id))) return undefined;
        await audit(tx, caller.userId, 'device_removed', meta, {
          device: id,
          sessions_revoked: ids.length,
        });
        return ids;
      });
      if (!revoked) throw notFound('device');
      await sessions.revoke(revoked);
    },

    /** Registers the device's push token (the device signed in before, with its id). */
    async setPushToken(
      caller: AuthContext,
      deviceId: string,
      input: PushTokenInput,
    ): Promise<DeviceDto> {
      const device = await db.asUser(caller.userId, (tx) =>
        devices.setPushToken(tx, caller.userId, deviceId, input.push_token, input.platform),
      );
      if (!device) throw notFound('device');
      await db.asSystem((tx) => devices.clearPushTokenElsewhere(tx, input.push_token, device.id));
      return device;
    },

    async clearPushToken(caller: AuthContext, deviceId: string): Promise<void> {
      const found = await db.asUser(caller.userId, (tx) =>
        devices.clearPushToken(tx, caller.userId, deviceId),
      );
      if (!found) throw notFound('device');
    },
  };
}

export type DevicesService = ReturnType<typeof createDevicesService>;
