// SQL for sessions and their refresh-token families.
import { and, desc, eq, gt, isNull, ne } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { refreshTokens, sessions, userDevices, users } from '../tables.ts';

export interface NewSession {
  id: string;
  userId: string;
  deviceRef: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertSession(tx: Tx, session: NewSession): Promise<void> {
  await tx.insert(sessions).values({ ...session, lastUsedAt: session.createdAt });
}

export async function insertRefreshToken(
  tx: Tx,
  token: {
    id: string;
    sessionId: string;
    userId: string;
    tokenHash: Buffer;
    parentId: string | null;
    issuedAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await tx.insert(refreshTokens).values(token);
}

/** The token presented at refresh, locked so that concurrent refreshes of it serialise. */
export async function lockRefreshToken(tx: Tx, tokenHash: Buffer) {
  const [row] = await tx
    .select({
      id: refreshTokens.id,
      sessionId: refreshTokens.sessionId,
      userId: refreshTokens.userId,
      expiresAt: refreshTokens.expiresAt,
      rotatedAt: refreshTokens.rotatedAt,
      sessionRevokedAt: sessions.revokedAt,
      role: users.role,
      accountStatus: users.accountStatus,
    })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, refreshTokens.userId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .for('update', { of: refreshTokens });
  return row;
}

export async function findChildToken(tx: Tx, parentId: string) {
  const [row] = await tx
    .select({ id: refreshTokens.id, rotatedAt: refreshTokens.rotatedAt })
    .from(refreshTokens)
    .where(eq(refreshTokens.parentId, parentId));
  return row;
}

export async function markTokenRotated(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.update(refreshTokens).set({ rotatedAt: at }).where(eq(refreshTokens.id, id));
}

export async function touchSession(
  tx: Tx,
  sessionId: string,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  await tx.update(sessions).set({ lastUsedAt: now, expiresAt }).where(eq(sessions.id, sessionId));
}

export async function listActiveSessions(tx: Tx, userId: string, now: Date) {
  return tx
    .select({
      id: sessions.id,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      deviceName: userDevices.deviceName,
      platform: userDevices.platform,
    })
    .from(sessions)
    .leftJoin(userDevices, eq(userDevices.id, sessions.deviceRef))
    .where(
      and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
    )
    .orderBy(desc(sessions.lastUsedAt), desc(sessions.id));
}

/** Revokes the user's live sessions matching the filter; returns their ids. */
export async function revokeSessions(
  tx: Tx,
  userId: string,
  filter: { only?: string; except?: string; deviceRef?: string },
  reason: string,
  now: Date,
): Promise<string[]> {
  const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (filter.only) conditions.push(eq(sessions.id, filter.only));
  if (filter.except) conditions.push(ne(sessions.id, filter.except));
  if (filter.deviceRef) conditions.push(eq(sessions.deviceRef, filter.deviceRef));
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(...conditions))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function sessionExists(tx: Tx, userId: string, id: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), eq(sessions.id, id)));
  return row !== undefined;
}

/** Whether a session is revoked (or gone): the source of truth behind the Redis cache. */
export async function isRevoked(tx: Tx, id: string): Promise<boolean> {
  const [row] = await tx
    .select({ revokedAt: sessions.revokedAt })
    .from(sessions)
    .where(eq(sessions.id, id));
  return !row || row.revokedAt !== null;
}

/** Sessions revoked recently enough that their access tokens may still be unexpired. */
export async function recentlyRevokedSessionIds(tx: Tx, since: Date): Promise<string[]> {
  const rows = await tx
    .select({ id: sessions.id })
    .from(sessions)
    .where(gt(sessions.revokedAt, since));
  return rows.map((r) => r.id);
}

/** When the session last gave a fresh proof (null: never, or the session is gone). */
export async function reauthenticatedAt(tx: Tx, id: string): Promise<Date | null> {
  const [row] = await tx
    .select({ at: sessions.reauthenticatedAt })
    .from(sessions)
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
  return row?.at ?? null;
}

export async function markReauthenticated(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.update(sessions).set({ reauthenticatedAt: at }).where(eq(sessions.id, id));
}
