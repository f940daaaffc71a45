// SQL of multi-factor authentication: the TOTP authenticator, recovery codes and the
// second step of a sign-in (challenges).
import { and, count, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { mfaChallenges, mfaRecoveryCodes, mfaTotp } from '../tables.ts';

export async function findTotp(tx: Tx, userId: string) {
  const [row] = await tx.select().from(mfaTotp).where(eq(mfaTotp.userId, userId)).for('update');
  return row;
}

export async function isMfaEnabled(tx: Tx, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({ confirmedAt: mfaTotp.confirmedAt })
    .from(mfaTotp)
    .where(eq(mfaTotp.userId, userId));
  return Boolean(row?.confirmedAt);
}

/** Starts (or restarts) enrolment with a new secret; an enabled authenticator is never replaced. */
export async function putPendingTotp(tx: Tx, userId: string, secretSealed: string, now: Date) {
  await tx
    .insert(mfaTotp)
    .values({ userId, secretSealed, createdAt: now })
    .onConflictDoUpdate({
      target: mfaTotp.userId,
      set: { secretSealed, createdAt: now, lastUsedStep: null },
      where: isNull(mfaTotp.confirmedAt),
    });
}

export async function confirmTotp(tx: Tx, userId: string, step: number, now: Date) {
  await tx
    .update(mfaTotp)
    .set({ confirmedAt: now, lastUsedStep: step })
    .where(eq(mfaTotp.userId, userId));
}

export async function recordUsedStep(tx: Tx, userId: string, step: number) {
  await tx.update(mfaTotp).set({ lastUsedStep: step }).where(eq(mfaTotp.userId, userId));
}

export async function deleteMfa(tx: Tx, userId: string): Promise<boolean> {
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  const deleted = await tx
    .delete(mfaTotp)
    .where(eq(mfaTotp.userId, userId))
    .returning({ userId: mfaTotp.userId });
  return deleted.length > 0;
}

export async function replaceRecoveryCodes(tx: Tx, userId: string, hashes: Buffer[], now: Date) {
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  await tx
    .insert(mfaRecoveryCodes)
    .values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: now })));
}

/** Marks an unused code used; false when it does not exist or was used before. */
export async function useRecoveryCode(tx: Tx, userId: string, codeHash: Buffer, now: Date) {
  const used = await tx
    .update(mfaRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, codeHash),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return used.length > 0;
}

export async function countUnusedRecoveryCodes(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(mfaRecoveryCodes)
    .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
  return row?.n ?? 0;
}

export async function insertChallenge(
  tx: Tx,
  challenge: {
    userId: string;
    tokenHash: Buffer;
    login: Record<string, unknown>;
    expiresAt: Date;
    createdAt: Date;
  },
) {
  await tx.insert(mfaChallenges).values(challenge);
}

/**
 * Claims one attempt at a live challenge (unused, unexpired, fewer than `maxAttempts`
 * tries) in a single statement, before its code is checked; undefined when none is left.
 * Concurrent claims serialise on the row, so at most `maxAttempts` ever succeed.
 */
export async function claimChallengeAttempt(
  tx: Tx,
  tokenHash: Buffer,
  now: Date,
  maxAttempts: number,
) {
  const [row] = await tx
    .update(mfaChallenges)
    .set({ attempts: sql`${mfaChallenges.attempts} + 1` })
    .where(
      and(
        eq(mfaChallenges.tokenHash, tokenHash),
        isNull(mfaChallenges.usedAt),
        gt(mfaChallenges.expiresAt, now),
        lt(mfaChallenges.attempts, maxAttempts),
      ),
    )
    .returning();
  return row;
}

/** Uses the challenge up; false when another request already did. */
export async function closeChallenge(tx: Tx, id: string, now: Date): Promise<boolean> {
  const closed = await tx
    .update(mfaChallenges)
    .set({ usedAt: now })
    .where(and(eq(mfaChallenges.id, id), isNull(mfaChallenges.usedAt)))
    .returning({ id: mfaChallenges.id });
  return closed.length > 0;
}

/** Challenges are worth nothing once expired; the cleanup job removes them. */
export async function deleteExpiredChallenges(tx: Tx, before: Date): Promise<number> {
  const deleted = await tx
    .delete(mfaChallenges)
    .where(sql`${mfaChallenges.expiresAt} < ${before}`)
    .returning({ id: mfaChallenges.id });
  return deleted.length;
}
