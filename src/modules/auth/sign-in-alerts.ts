// Sign-in alerts: a sign-in from a device or browser the account has not used before sends
// the owner an email (time, device, address). A device is the app's own device id when
// the app sends one, else the browser's user agent; only an HMAC of either is stored.
import type { Tx } from '../../platform/db/database.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { noteFingerprint } from './repository.ts';
import type { DeviceInputDto } from './schemas.ts';

const PLATFORM_NAMES: Record<string, string> = {
  ios: 'iPhone / iPad',
  android: 'Android',
  web: 'Web',
  other: '—',
};

function fingerprintOf(
  secrets: Secrets,
  userId: string,
  device: DeviceInputDto | undefined,
  userAgent: string | null,
) {
  const client = device ? `device:${device.device_id}` : `ua:${userAgent ?? 'unknown'}`;
  return secrets.hmac('sign-in-fingerprint', `${userId}|${client}`);
}

/** A short human description of the client: the device's name and platform, or the browser. */
export function describeClient(device: DeviceInputDto | undefined, userAgent: string | null) {
  if (device) {
    const platform = PLATFORM_NAMES[device.platform] ?? device.platform;
    return device.device_name ? `${device.device_name} (${platform})` : platform;
  }
  const agent = (userAgent ?? '').slice(0, 160);
  return agent || '—';
}

/**
 * Records the sign-in's device; returns the email facts when the owner should be told
 * (a device not seen before, on an account that has signed in before, alerts on).
 */
export async function signInAlertFor(
  tx: Tx,
  secrets: Secrets,
  sign: {
    userId: string;
    alertsOn: boolean;
    device: DeviceInputDto | undefined;
    meta: RequestMeta;
    now: Date;
  },
): Promise<Record<string, string> | undefined> {
  const { known, firstEver } = await noteFingerprint(
    tx,
    sign.userId,
    fingerprintOf(secrets, sign.userId, sign.device, sign.meta.userAgent),
    sign.now,
  );
  if (known || firstEver || !sign.alertsOn) return undefined;
  return {
    time: sign.now.toISOString(),
    device: describeClient(sign.device, sign.meta.userAgent),
    ip: sign.meta.ip ?? '—',
  };
}
