// Seeding content: insert new rows, rewrite only the rows whose content really changed
// (so re-running a seed on unchanged files writes nothing and reports 0).
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from './database.ts';

/** Upserts on `target`; returns how many rows were inserted or changed. */
export async function upsertChanged<T extends PgTable>(
  tx: Tx,
  table: T,
  rows: T['$inferInsert'][],
  target: PgColumn,
  columns: PgColumn[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const keyOf = new Map(
    Object.entries(getTableColumns(table)).map(([key, column]) => [column, key]),
  );
  const excluded = (column: PgColumn) => sql.raw(`excluded."${column.name}"`);
  const set: Record<string, SQL> = Object.fromEntries(
    columns.map((column) => [keyOf.get(column) ?? column.name, excluded(column)]),
  );
  const changed = await tx
    .insert(table)
    .values(rows)
    .onConflictDoUpdate({
      target,
      set,
      setWhere: sql`(${sql.join(columns, sql`, `)}) is distinct from (${sql.join(columns.map(excluded), sql`, `)})`,
    })
    .returning({ target });
  return changed.length;
}
