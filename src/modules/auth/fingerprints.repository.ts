// SQL of the devices and browsers an account has signed in from (sign-in alerts).
import { and, count, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { signInFingerprints } from './tables.ts';

/**
 * Records a sign-in from `fingerprint`. `known`: seen before; `firstEver`: the account had
 * no fingerprint at all (its first sign-in since alerts exist: nothing to compare with).
 */
export async function noteFingerprint(
  tx: Tx,
  userId: string,
  fingerprint: Buffer,
  now: Date,
): Promise<{ known: boolean; firstEver: boolean }> {
  const touched = await tx
    .update(signInFingerprints)
    .set({ lastSeenAt: now })
    .where(
      and(eq(signInFingerprints.userId, userId), eq(signInFingerprints.fingerprint, fingerprint)),
    )
    .returning({ id: signInFingerprints.id });
  if (touched.length > 0) return { known: true, firstEver: false };
  const [row] = await tx
    .select({ n: count() })
    .from(signInFingerprints)
    .where(eq(signInFingerprints.userId, userId));
  await tx
    .insert(signInFingerprints)
    .values({ userId, fingerprint, firstSeenAt: now, lastSeenAt: now })
    .onConflictDoNothing();
  return { known: false, firstEver: (row?.n ?? 0) === 0 };
}
