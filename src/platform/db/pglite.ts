// Embedded PostgreSQL (PGlite, WASM, in-process): the default when DATABASE_URL is unset.
// PGlite has one connection and starts as a superuser, which would bypass row-level
// security; so the session switches to the application role before anything else runs,
// and every object is created by, owned by and subject to that role.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle } from 'drizzle-orm/pglite';
import { sql } from 'drizzle-orm';
import { APP_ROLE, assertUuid, type Database, type Tx } from './database.ts';

export interface PgliteOptions {
  /** Directory for the data files; in memory when omitted. */
  dataDir?: string | undefined;
  /** A data directory dump (from dumpDataDir) to start from, e.g. a migrated test template. */
  loadDataDir?: Blob | File | undefined;
}

export interface PgliteDatabase extends Database {
  readonly client: PGlite;
}

export async function openPglite(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const client = new PGlite({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { unaccent },
  });
  await client.waitReady;
  await client.exec(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
        CREATE ROLE ${APP_ROLE} NOSUPERUSER NOBYPASSRLS;
      END IF;
    END $$;
    GRANT CREATE ON DATABASE postgres TO ${APP_ROLE};
    GRANT ALL ON SCHEMA public TO ${APP_ROLE};
    CREATE EXTENSION IF NOT EXISTS unaccent;
    SET ROLE ${APP_ROLE};
  `);
  const db = drizzle({ client }) as unknown as Tx;

  const scoped = <T>(
    setting: 'user' | 'system',
    userId: string | null,
    work: (tx: Tx) => Promise<T>,
  ) =>
    db.transaction(async (tx) => {
      if (setting === 'user') {
        await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
      } else {
        await tx.execute(sql`select set_config('app.system', 'on', true)`);
      }
      return work(tx);
    });

  return {
    kind: 'pglite',
    client,
    async asUser(userId, work) {
      assertUuid(userId);
      // Plan options do not apply: PGlite runs unnamed statements in process.
      return scoped('user', userId, work);
    },
    asSystem(work) {
      return scoped('system', null, work);
    },
    unscoped(work) {
      return db.transaction((tx) => work(tx));
    },
    async ping() {
      await client.query('select 1');
    },
    poolStats() {
      return { total: 1, idle: 1, waiting: 0 };
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
