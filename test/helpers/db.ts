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

/** Every text, varchar, json and jsonb column of every table, with the phrases found in it. */
export async function columnsHolding(
  t: Pick<TestApp, 'platform'>,
  needles: string[],
): Promise<string[]> {
  const columns = await rows<{ schema: string; table: string; column: string }>(
    t,
    sql`select c.table_schema as schema, c.table_name as table, c.column_name as column
        from information_schema.columns c
        join information_schema.tables tb
          on tb.table_schema = c.table_schema and tb.table_name = c.table_name
        where c.table_schema not in ('pg_catalog', 'information_schema')
          and tb.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
  );
  if (columns.length < 40) throw new Error(`only ${columns.length} text columns found`);
  const found: string[] = [];
  for (const { schema, table, column } of columns) {
    // One scan per column, counting every phrase at once.
    const [hits] = await rows<Record<string, number>>(
      t,
      sql`select ${sql.join(
        needles.map(
          (needle, i) =>
            sql`count(*) filter (where strpos(${sql.identifier(column)}::text, ${needle}) > 0)::int as ${sql.identifier(`n${i}`)}`,
        ),
        sql`, `,
      )} from ${sql.identifier(schema)}.${sql.identifier(table)}`,
    );
    needles.forEach((needle, i) => {
      if ((hits?.[`n${i}`] ?? 0) > 0) found.push(`${schema}.${table}.${column}: ${needle}`);
    });
  }
  return found;
}
