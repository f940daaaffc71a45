// Keyset pagination: a page ends at a row's (time, id); the next page is what comes after
// that pair in the list's order. Stable under inserts, and one index range scan per page.
import { and, eq, gt, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** Rows after `key` in (time, id) order (`desc`: newest first); undefined without a key. */
export function afterKey(
  time: PgColumn,
  id: PgColumn,
  key: { at: Date; id: string } | undefined,
  order: 'asc' | 'desc',
): SQL | undefined {
  if (!key) return undefined;
  const beyond = order === 'asc' ? gt : lt;
  return or(beyond(time, key.at), and(eq(time, key.at), beyond(id, key.id)));
}
