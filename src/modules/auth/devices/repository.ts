// SQL of the devices an account signs in from (user_devices) and their push tokens (FCM
// registration tokens). A token identifies an app installation, not a person: when another
// account signs in on the same phone, the token moves with it, so the previous account's
// reminders stop arriving there.
import { and, asc, desc, eq, isNotNull, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { sessions, userDevices } from '../tables.ts';
import type { Platform } from '../values.ts';

export async function upsertDevice(
  tx: Tx,
  userId: string,
  device: { deviceId: string; deviceName: string | null; platform: Platform },
  now: Date,
): Promise<string> {
  const [row] = await tx
    .insert(userDevices)
    .values({ userId, ...device, lastActiveAt: now, createdAt: now })
    .onConflictDoUpdate({
      target: [userDevices.userId, userDevices.deviceId],
      set: {
        deviceName: sql`coalesce(excluded.device_name, ${userDevices.deviceName})`,
        platform: device.platform,
        lastActiveAt: now,
        isActive: true,
      },
    })
    .returning({ id: userDevices.id });
  if (!row) throw new Error('device upsert returned no row');
  return row.id;
}

export async function listDevices(tx: Tx, userId: string) {
  return tx
    .select()
    .from(userDevices)
    .where(eq(userDevices.userId, userId))
    .orderBy(desc(userDevices.lastActiveAt), asc(userDevices.id));
}

export async function deleteDevice(tx: Tx, userId: string, id: string): Promise<boolean> {
  const deleted = await tx
    .delete(userDevices)
    .where(and(eq(userDevices.userId, userId), eq(userDevices.id, id)))
    .returning({ id: userDevices.id });
  return deleted.length > 0;
}

// Push tokens

export async function setPushToken(
  tx: Tx,
  userId: string,
  deviceId: string,
  token: string,
  platform: Platform,
) {
  const [row] = await tx
    .update(userDevices)
    .set({ pushToken: token, platform })
    .where(and(eq(userDevices.userId, userId), eq(userDevices.deviceId, deviceId)))
    .returning();
  return row;
}

/** System scope: the same token on any other device row (another account) is cleared. */
export async function clearTokenElsewhere(tx: Tx, token: string, keepDeviceRef: string) {
  await tx
    .update(userDevices)
    .set({ pushToken: null })
    .where(and(eq(userDevices.pushToken, token), ne(userDevices.id, keepDeviceRef)));
}

export async function clearPushTokenOfDevice(tx: Tx, userId: string, deviceId: string) {
  const [row] = await tx
    .update(userDevices)
    .set({ pushToken: null })
    .where(and(eq(userDevices.userId, userId), eq(userDevices.deviceId, deviceId)))
    .returning({ id: userDevices.id });
  return row !== undefined;
}

/** Signing out of a session silences its device. */
export async function clearPushTokenOfSession(tx: Tx, userId: string, sessionId: string) {
  await tx
    .update(userDevices)
    .set({ pushToken: null })
    .where(
      and(
        eq(userDevices.userId, userId),
        sql`${userDevices.id} = (select ${sessions.deviceRef} from ${sessions} where ${sessions.id} = ${sessionId})`,
      ),
    );
}

/** A token the provider reported dead. */
export async function clearPushToken(tx: Tx, userId: string, token: string) {
  await tx
    .update(userDevices)
    .set({ pushToken: null })
    .where(and(eq(userDevices.userId, userId), eq(userDevices.pushToken, token)));
}

export async function pushTargets(tx: Tx, userId: string) {
  return tx
    .select({ token: userDevices.pushToken, platform: userDevices.platform })
    .from(userDevices)
    .where(
      and(
        eq(userDevices.userId, userId),
        eq(userDevices.isActive, true),
        isNotNull(userDevices.pushToken),
      ),
    )
    .then((rows) => rows.map((r) => ({ token: r.token as string, platform: r.platform })));
}

/** No push reaches the devices of an account awaiting deletion. */
export async function clearPushTokens(tx: Tx, userId: string): Promise<void> {
  await tx.update(userDevices).set({ pushToken: null }).where(eq(userDevices.userId, userId));
}
