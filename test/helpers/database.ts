// A fresh, migrated database for one test file: PGlite loaded from the template dump, or
// a PostgreSQL database cloned from the template (connected as the application role, so
// row-level security applies exactly as in production).
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openPglite, type PgliteDatabase } from '../../src/platform/db/pglite.ts';
import { openPostgres, type PostgresDatabase } from '../../src/platform/db/postgres.ts';
import { APP_ROLE } from '../../src/platform/db/database.ts';
import { appRoleUrl } from '../setup/database-templates.ts';

export type TestDatabase = (PgliteDatabase | PostgresDatabase) & { url: string | undefined };

let templateBlob: Blob | undefined;

export const databaseKind = (): 'pglite' | 'postgres' => inject('databaseKind');

/** Creates an empty database cloned from the template; returns its URL (PostgreSQL only). */
export async function clonePostgresDatabase(): Promise<string> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `amira_t_${inject('runId')}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(
      `create database ${name} template ${inject('postgresTemplate')} owner ${APP_ROLE}`,
    );
  } finally {
    await admin.end();
  }
  return appRoleUrl(adminUrl, name);
}

export async function freshDatabase(): Promise<TestDatabase> {
  if (databaseKind() === 'postgres') {
    const url = await clonePostgresDatabase();
    return Object.assign(openPostgres({ url, poolMax: 5 }), { url });
  }
  templateBlob ??= new Blob([await readFile(inject('pgliteTemplate'))]);
  return Object.assign(await openPglite({ loadDataDir: templateBlob }), { url: undefined });
}

/** A second connection to the same database, as another replica would have. */
export async function replicaDatabase(of: TestDatabase): Promise<TestDatabase> {
  if (of.kind === 'pglite' || !of.url) return of; // embedded: one process, one instance
  return Object.assign(openPostgres({ url: of.url, poolMax: 5 }), { url: of.url });
}
