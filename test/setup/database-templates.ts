// Builds the migrated database templates a test file clones: a PGlite data-directory dump
// and a PostgreSQL template database, each with the migrations and pg-boss's schema.
import { writeFile } from 'node:fs/promises';
import postgres from 'postgres';
import { PgBoss, fromPglite } from 'pg-boss';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { migratePgliteDatabase, migratePostgresDatabase } from '../../src/platform/db/migrate.ts';
import { APP_ROLE } from '../../src/platform/db/database.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { seedContent } from '../../src/modules/index.ts';

export const APP_ROLE_PASSWORD = 'amira_app_test';

export async function buildPgliteTemplate(file: string): Promise<void> {
  const db = await openPglite();
  await migratePgliteDatabase(db.client);
  await seedContent(db);
  const boss = new PgBoss({
    backend: 'pglite',
    db: fromPglite(db.client),
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, close: false });
  const dump = await db.client.dumpDataDir('none');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
}

export function appRoleUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.username = APP_ROLE;
  url.password = APP_ROLE_PASSWORD;
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates the application role (not a superuser: row-level security applies to it). */
export async function ensureAppRole(admin: postgres.Sql): Promise<void> {
  const [role] = await admin`select 1 from pg_roles where rolname = ${APP_ROLE}`;
  if (!role) {
    await admin
      .unsafe(
        `create role ${APP_ROLE} login nosuperuser nobypassrls password '${APP_ROLE_PASSWORD}'`,
      )
      .catch((error: unknown) => {
        // Another run created it at the same moment.
        if (!String(error).includes('already exists')) throw error;
      });
  }
}

export async function buildPostgresTemplate(adminUrl: string, template: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await ensureAppRole(admin);
    await admin.unsafe(`create database ${template} owner ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
  const url = appRoleUrl(adminUrl, template);
  await migratePostgresDatabase(url);
  const db = openPostgres({ url, poolMax: 2 });
  await seedContent(db);
  await db.close();
  const boss = new PgBoss({ connectionString: url, max: 2, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false });
}

export async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin<
      { datname: string }[]
    >`select datname from pg_database where datname like ${prefix + '%'}`;
    for (const { datname } of rows) {
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await admin.end();
  }
}
