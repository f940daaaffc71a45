// SQL of the account's audit trail (security_events).
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { securityEvents } from '../tables.ts';

export interface SecurityEventInput {
  userId: string | null;
  type: string;
  ip: string | null;
  userAgent: string | null;
  metadata?: Record<string, unknown>;
  createdAt: Date;
}

export async function insertSecurityEvent(tx: Tx, event: SecurityEventInput): Promise<void> {
  await tx.insert(securityEvents).values({ ...event, metadata: event.metadata ?? {} });
}

export async function listSecurityEvents(
  tx: Tx,
  userId: string,
  limit: number,
  after?: [string, string],
) {
  const conditions = [eq(securityEvents.userId, userId)];
  if (after) {
    const [createdAt, id] = after;
    const at = new Date(createdAt);
    const older = or(
      lt(securityEvents.createdAt, at),
      and(eq(securityEvents.createdAt, at), lt(securityEvents.id, id)),
    );
    if (older) conditions.push(older);
  }
  return tx
    .select()
    .from(securityEvents)
    .where(and(...conditions))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit + 1);
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
