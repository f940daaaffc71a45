// SQL of the full data exports (table data_exports).
import { and, desc, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../../platform/db/database.ts';
import { dataExports } from '../tables.ts';

export type DataExportRow = typeof dataExports.$inferSelect;

const IN_PROGRESS = ['queued', 'running'] as const;

/** Serializes export requests of one user until the transaction ends (no two exports at once). */
export async function lockExportsOf(tx: Tx, userId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`data-export:${userId}`}, 0))`,
  );
}

export async function findInProgress(
  tx: Tx,
  userId: string,
  now: Date,
): Promise<DataExportRow | undefined> {
  const [row] = await tx
    .select()
    .from(dataExports)
    .where(
      and(
        eq(dataExports.userId, userId),
        inArray(dataExports.status, [...IN_PROGRESS]),
        gt(dataExports.expiresAt, now),
      ),
    )
    .orderBy(desc(dataExports.createdAt))
    .limit(1);
  return row;
}

export async function insertExport(
  tx: Tx,
  row: { userId: string; createdAt: Date; expiresAt: Date },
): Promise<DataExportRow> {
  const [inserted] = await tx.insert(dataExports).values(row).returning();
  if (!inserted) throw new Error('data export insert returned no row');
  return inserted;
}

export async function findExport(
  tx: Tx,
  userId: string,
  id: string,
): Promise<DataExportRow | undefined> {
  const [row] = await tx
    .select()
    .from(dataExports)
    .where(and(eq(dataExports.userId, userId), eq(dataExports.id, id)));
  return row;
}

export async function updateExport(
  tx: Tx,
  id: string,
  fields: Partial<
    Pick<DataExportRow, 'status' | 'progress' | 'objectKey' | 'sizeBytes' | 'completedAt'>
  >,
): Promise<boolean> {
  const rows = await tx
    .update(dataExports)
    .set(fields)
    .where(eq(dataExports.id, id))
    .returning({ id: dataExports.id });
  return rows.length > 0;
}

/** Exports still queued or running that started before `before`: their job is gone. */
export async function failStale(tx: Tx, before: Date, now: Date): Promise<number> {
  const rows = await tx
    .update(dataExports)
    .set({ status: 'failed', completedAt: now })
    .where(and(inArray(dataExports.status, [...IN_PROGRESS]), lt(dataExports.createdAt, before)))
    .returning({ id: dataExports.id });
  return rows.length;
}

/** Exports past their expiry, across users (system scope). */
export async function expiredExports(tx: Tx, now: Date, limit: number) {
  return tx
    .select({ id: dataExports.id, userId: dataExports.userId })
    .from(dataExports)
    .where(lte(dataExports.expiresAt, now))
    .limit(limit);
}

/** Which of these export ids still have a row (system scope: the archive sweep). */
export async function existingExportIds(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .select({ id: dataExports.id })
    .from(dataExports)
    .where(inArray(dataExports.id, ids));
  return new Set(rows.map((r) => r.id));
}

export async function deleteExports(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length) await tx.delete(dataExports).where(inArray(dataExports.id, ids));
}

export async function deleteExportsOf(tx: Tx, userId: string): Promise<void> {
  await tx.delete(dataExports).where(eq(dataExports.userId, userId));
}
