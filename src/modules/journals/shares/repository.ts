// SQL of a recording's share links.
import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { audioMetadata, journalShares, journals } from '../tables.ts';

export type ShareRow = typeof journalShares.$inferSelect;

/** What the public share route needs: the share, and the journal it opens. */
export interface SharedJournal {
  share: ShareRow;
  journal: {
    id: string;
    title: string | null;
    titlePlaintext: boolean;
    isDeleted: boolean;
    durationSeconds: number;
    recordedAt: Date;
    storagePath: string;
    encryptionAlgorithm: string;
    encryptionIv: Buffer;
  };
  audio: { format: string; fileSize: number; checksum: string };
}

/**
 * Whether the journal is live and the user's, and its key envelope. With `lock`, its row
 * stays locked until the transaction ends: two share creations for one journal then count
 * its active shares one after the other.
 */
export async function shareableJournal(
  tx: Tx,
  userId: string,
  journalId: string,
  options: { lock?: boolean } = {},
): Promise<{ keyEnvelope: string | null } | undefined> {
  const query = tx
    .select({ keyEnvelope: journals.keyEnvelope })
    .from(journals)
    .where(
      and(eq(journals.userId, userId), eq(journals.id, journalId), eq(journals.isDeleted, false)),
    );
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** Shares of the journal that still open: not revoked, not expired, downloads left. */
export async function countActive(tx: Tx, journalId: string, now: Date): Promise<number> {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(journalShares)
    .where(and(eq(journalShares.journalId, journalId), opensAt(now)));
  return row?.count ?? 0;
}

const opensAt = (now: Date) =>
  and(
    isNull(journalShares.revokedAt),
    gt(journalShares.expiresAt, now),
    or(isNull(journalShares.maxDownloads), lt(journalShares.downloads, journalShares.maxDownloads)),
  );

export async function insertShare(tx: Tx, share: typeof journalShares.$inferInsert) {
  const [row] = await tx.insert(journalShares).values(share).returning();
  return row!;
}

/** The journal's shares, newest first (at most `limit`). */
export async function listShares(tx: Tx, userId: string, journalId: string, limit: number) {
  return tx
    .select()
    .from(journalShares)
    .where(and(eq(journalShares.userId, userId), eq(journalShares.journalId, journalId)))
    .orderBy(desc(journalShares.createdAt), desc(journalShares.id))
    .limit(limit);
}

/** Revokes a share (once: a revoked share keeps its first revocation time). */
export async function revokeShare(
  tx: Tx,
  userId: string,
  journalId: string,
  shareId: string,
  now: Date,
): Promise<ShareRow | undefined> {
  const [row] = await tx
    .update(journalShares)
    .set({
      revokedAt: sql`coalesce(${journalShares.revokedAt}, ${now.toISOString()}::timestamptz)`,
    })
    .where(
      and(
        eq(journalShares.userId, userId),
        eq(journalShares.journalId, journalId),
        eq(journalShares.id, shareId),
      ),
    )
    .returning();
  return row;
}

/** Revokes every share of the journal still open (it went to the trash). */
export async function revokeSharesOfJournal(
  tx: Tx,
  userId: string,
  journalId: string,
  now: Date,
): Promise<number> {
  const rows = await tx
    .update(journalShares)
    .set({ revokedAt: now })
    .where(
      and(
        eq(journalShares.userId, userId),
        eq(journalShares.journalId, journalId),
        isNull(journalShares.revokedAt),
      ),
    )
    .returning({ id: journalShares.id });
  return rows.length;
}

/** The share and its journal, whatever their state (system scope: the caller has no account). */
export async function findSharedJournal(
  tx: Tx,
  shareId: string,
): Promise<SharedJournal | undefined> {
  const [row] = await tx
    .select({
      share: journalShares,
      journal: {
        id: journals.id,
        title: journals.title,
        titlePlaintext: journals.titlePlaintext,
        isDeleted: journals.isDeleted,
        durationSeconds: journals.durationSeconds,
        recordedAt: journals.recordedAt,
        storagePath: journals.storagePath,
        encryptionAlgorithm: journals.encryptionAlgorithm,
        encryptionIv: journals.encryptionIv,
      },
      audio: {
        format: audioMetadata.format,
        fileSize: audioMetadata.fileSize,
        checksum: audioMetadata.checksum,
      },
    })
    .from(journalShares)
    .innerJoin(journals, eq(journals.id, journalShares.journalId))
    .innerJoin(audioMetadata, eq(audioMetadata.journalId, journals.id))
    .where(eq(journalShares.id, shareId));
  return row;
}

/**
 * Counts one download if the share still opens, in one statement: PostgreSQL re-checks the
 * condition on the row it updates, so of N concurrent downloads of a share with k left,
 * exactly k succeed. Answers the count after this download, or undefined when refused.
 */
export async function countDownload(
  tx: Tx,
  shareId: string,
  now: Date,
): Promise<number | undefined> {
  const [row] = await tx
    .update(journalShares)
    .set({ downloads: sql`${journalShares.downloads} + 1` })
    .where(and(eq(journalShares.id, shareId), opensAt(now)))
    .returning({ downloads: journalShares.downloads });
  return row?.downloads;
}

/** Every share of the user's, newest first (data export). */
export async function sharesOfUser(tx: Tx, userId: string): Promise<ShareRow[]> {
  return tx
    .select()
    .from(journalShares)
    .where(eq(journalShares.userId, userId))
    .orderBy(desc(journalShares.createdAt), desc(journalShares.id));
}
