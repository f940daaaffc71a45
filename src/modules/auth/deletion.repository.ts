// SQL of the deferred account deletion: disabling an account at the owner's request, and
// finding and locking the accounts whose grace period is over (system scope).
import { and, asc, eq, gt, lte, notInArray, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { securityEvents, userDevices, users } from './tables.ts';

/** Accounts awaiting deletion whose grace period ended at `now` or before, oldest first. */
export async function dueForPurge(
  tx: Tx,
  now: Date,
  limit: number,
  skip: string[] = [],
): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.accountStatus, 'pending_deletion'),
        lte(users.purgeAfter, now),
        skip.length ? notInArray(users.id, skip) : undefined,
      ),
    )
    .orderBy(asc(users.purgeAfter))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Locks the account for its purge, if it is still due: a sign-in that restores it either
 * committed first (the status is no longer pending_deletion: nothing is purged) or waits
 * for the purge and then finds no account.
 */
export async function lockDueForPurge(tx: Tx, userId: string, now: Date): Promise<boolean> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.id, userId),
        eq(users.accountStatus, 'pending_deletion'),
        lte(users.purgeAfter, now),
      ),
    )
    .for('update');
  return rows.length > 0;
}

/** Account ids in id order, a page at a time (system scope). */
export async function userIdsAfter(
  tx: Tx,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(after ? gt(users.id, after) : undefined)
    .orderBy(asc(users.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

/** An account the deletion ledger says was purged: due for its purge right away. */
export async function markForPurgeNow(tx: Tx, userId: string, now: Date): Promise<void> {
  await tx
    .update(users)
    .set({
      accountStatus: 'pending_deletion',
      deletionRequestedAt: sql`coalesce(${users.deletionRequestedAt}, ${now.toISOString()}::timestamptz)`,
      purgeAfter: now,
      updatedAt: now,
    })
    .where(eq(users.id, userId));
}

/** No push reaches the devices of an account awaiting deletion. */
export async function clearPushTokens(tx: Tx, userId: string): Promise<void> {
  await tx.update(userDevices).set({ pushToken: null }).where(eq(userDevices.userId, userId));
}

/**
 * Other accounts' audit trails name the administrator who changed them (`metadata.by`).
 * When that administrator's account is purged, the entries stay and the name goes.
 */
export async function forgetActor(tx: Tx, userId: string): Promise<void> {
  await tx
    .update(securityEvents)
    .set({ metadata: sql`${securityEvents.metadata} || '{"by": null}'::jsonb` })
    .where(sql`${securityEvents.metadata}->>'by' = ${userId}`);
}
