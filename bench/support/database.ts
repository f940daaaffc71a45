// A PostgreSQL database for a benchmark run, owned by the application role (row-level
// security applies as in production) and migrated. Dropped at the end, unless `keep`:
// then a named database survives between runs (to iterate on queries over large data).
import postgres from 'postgres';
import { migratePostgresDatabase } from '../../src/platform/db/migrate.ts';
import { APP_ROLE } from '../../src/platform/db/database.ts';
import { appRoleUrl, ensureAppRole } from '../../test/setup/database-templates.ts';

export const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function withBenchDatabase<T>(
  name: string,
  run: (url: string) => Promise<T>,
  keep = false,
): Promise<T> {
  const database = keep ? `amira_bench_${name}_kept` : `amira_bench_${name}_${process.pid}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await ensureAppRole(admin);
  const exists = (await admin`select 1 from pg_database where datname = ${database}`).length > 0;
  if (!keep || !exists) {
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.unsafe(`create database ${database} owner ${APP_ROLE}`);
  }
  const url = appRoleUrl(ADMIN_URL, database);
  try {
    await migratePostgresDatabase(url);
    return await run(url);
  } finally {
    if (!keep) await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
