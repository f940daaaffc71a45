// Reading rows directly (system scope) to prove what a request did or did not store.
import { sql, type SQL } from 'drizzle-orm';
import { queryRows } from '../../src/platform/db/database.ts';
import type { TestApp } from './app.ts';

export function rows<T = Record<string, unknown>>(
  t: Pick<TestApp, 'platform'>,
  query: SQL,
): Promise<T[]> {
  return t.platform.db.asSystem((tx) => queryRows<T>(tx, query));
}

export async function count(
  t: Pick<TestApp, 'platform'>,
  table: string,
  where: SQL = sql`true`,
): Promise<number> {
  const [row] = await rows<{ n: number }>(
    t,
    sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`,
  );
  return row?.n ?? 0;
}

/** Every table of the public schema with a user_id column (and users itself). */
export async function userOwnedTables(t: TestApp): Promise<string[]> {
  const found = await rows<{ table_name: string }>(
    t,
    sql`select distinct table_name from information_schema.columns
        where table_schema = 'public' and column_name = 'user_id' order by table_name`,
  );
  return ['users', ...found.map((r) => r.table_name)];
}

/** The least a users row needs (no password anyone could use), for tests below the services. */
export const bareUserRow = (id: string) => ({
  id,
  email: `${id}@example.com`,
  passwordHash: 'x',
  kdfSalt: 's',
  kdfMemoryKib: 1,
  kdfIterations: 1,
  kdfParallelism: 1,
});
