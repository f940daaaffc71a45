// Push tokens of the user's devices (FCM registration tokens). A token identifies an app
// installation, not a person: when another account signs in on the same phone, the token
// moves with it, so the previous account's reminders stop arriving there.
import { and, eq, isNotNull, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { sessions, userDevices, type Platform } from './tables.ts';

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
