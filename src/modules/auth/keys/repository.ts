// SQL of the client's key material: the key-derivation parameters stored with the account
// and the wrapped data keys (key_envelopes), opaque to the server.
import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { keyEnvelopes, users } from '../tables.ts';

export async function findKeyParamsByEmail(tx: Tx, email: string) {
  const [row] = await tx
    .select({
      salt: users.kdfSalt,
      memoryKib: users.kdfMemoryKib,
      iterations: users.kdfIterations,
      parallelism: users.kdfParallelism,
    })
    .from(users)
    .where(eq(users.email, email));
  return row;
}

export async function listEnvelopes(tx: Tx, userId: string) {
  return tx
    .select({
      label: keyEnvelopes.label,
      envelope: keyEnvelopes.envelope,
      updatedAt: keyEnvelopes.updatedAt,
    })
    .from(keyEnvelopes)
    .where(eq(keyEnvelopes.userId, userId))
    .orderBy(asc(keyEnvelopes.label));
}

export async function upsertEnvelope(
  tx: Tx,
  userId: string,
  label: string,
  envelope: string,
  now: Date,
): Promise<void> {
  await tx
    .insert(keyEnvelopes)
    .values({ userId, label, envelope, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [keyEnvelopes.userId, keyEnvelopes.label],
      set: { envelope, updatedAt: now },
    });
}

export async function findEnvelope(
  tx: Tx,
  userId: string,
  label: string,
): Promise<string | undefined> {
  const [row] = await tx
    .select({ envelope: keyEnvelopes.envelope })
    .from(keyEnvelopes)
    .where(and(eq(keyEnvelopes.userId, userId), eq(keyEnvelopes.label, label)));
  return row?.envelope;
}

export async function deleteEnvelope(tx: Tx, userId: string, label: string): Promise<void> {
  await tx
    .delete(keyEnvelopes)
    .where(and(eq(keyEnvelopes.userId, userId), eq(keyEnvelopes.label, label)));
}
