// SQL of the account as the users module reads and changes it through the AccountsPort
// (ports.ts): profile changes, administration (list, find) and the deferred deletion
// (finding and locking the accounts whose grace period is over, deleting them; system scope).
import { and, asc, desc, eq, gt, like, lt, lte, notInArray, or, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { userProfiles, users } from '../tables.ts';

export async function updateProfile(
  tx: Tx,
  userId: string,
  patch: {
    displayName?: string | null;
    preferences?: object;
    settings?: object;
    country?: string | null;
  },
  now: Date,
): Promise<void> {
  await tx
    .update(userProfiles)
    .set({
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.country !== undefined ? { country: patch.country } : {}),
      // Merge key by key; a key set to null is removed.
      ...(patch.preferences
        ? {
            preferences: sql`jsonb_strip_nulls(${userProfiles.preferences} || ${JSON.stringify(patch.preferences)}::jsonb)`,
          }
        : {}),
      ...(patch.settings
        ? {
            settings: sql`jsonb_strip_nulls(${userProfiles.settings} || ${JSON.stringify(patch.settings)}::jsonb)`,
          }
        : {}),
      updatedAt: now,
    })
    .where(eq(userProfiles.userId, userId));
}

export async function deleteUser(tx: Tx, userId: string): Promise<boolean> {
  const deleted = await tx.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
  return deleted.length > 0;
}

const accountColumns = {
  id: users.id,
  email: users.email,
  emailVerified: users.emailVerified,
  role: users.role,
  accountStatus: users.accountStatus,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
  purgeAfter: users.purgeAfter,
};

export async function findAccountById(tx: Tx, id: string) {
  const [row] = await tx.select(accountColumns).from(users).where(eq(users.id, id));
  return row;
}

export async function listUsers(
  tx: Tx,
  options: {
    limit: number;
    after?: [string, string] | undefined;
    emailPrefix?: string | undefined;
  },
) {
  const conditions = [];
  if (options.after) {
    const [createdAt, id] = options.after;
    conditions.push(
      or(
        lt(users.createdAt, new Date(createdAt)),
        and(eq(users.createdAt, new Date(createdAt)), lt(users.id, id)),
      ),
    );
  }
  if (options.emailPrefix) {
    conditions.push(
      like(users.email, `${options.emailPrefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`),
    );
  }
  return tx
    .select(accountColumns)
    .from(users)
    .where(and(...conditions))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(options.limit + 1);
}

/** The account that has this email address, if any (no secrets). */
export async function findIdByEmail(tx: Tx, email: string): Promise<string | undefined> {
  const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
  return row?.id;
}

// Deferred deletion

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
