// The DevicesPort and PushTargetsPort (ports.ts): the devices an account signs in from
// (registered by sign-in, see deps.ts) and their push tokens, as the users module's device
// routes and the notifications module's deliveries use them.
import type { DevicesPort, PushTargetsPort } from '../ports.ts';
import { toDeviceDto } from '../dto.ts';
import * as repo from './repository.ts';

export function createDevicesPort(): DevicesPort & PushTargetsPort {
  return {
    list: async (tx, userId) => (await repo.listDevices(tx, userId)).map(toDeviceDto),
    delete: (tx, userId, id) => repo.deleteDevice(tx, userId, id),
    async setPushToken(tx, userId, deviceId, token, platform) {
      const row = await repo.setPushToken(tx, userId, deviceId, token, platform);
      return row ? toDeviceDto(row) : undefined;
    },
    clearPushTokenElsewhere: (tx, token, keepDeviceRef) =>
      repo.clearTokenElsewhere(tx, token, keepDeviceRef),
    clearPushToken: (tx, userId, deviceId) => repo.clearPushTokenOfDevice(tx, userId, deviceId),
    silence: (tx, userId) => repo.clearPushTokens(tx, userId),
    pushTargetsIn: (tx, userId) => repo.pushTargets(tx, userId),
    forgetPushToken: (tx, userId, token) => repo.clearPushToken(tx, userId, token),
  };
}
