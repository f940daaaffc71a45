// Embedded PostgreSQL (PGlite, WASM, in-process): the default when DATABASE_URL is unset.
// PGlite has one connection and starts as a superuser, which would bypass row-level
// security; so the session switches to the application role before anything else runs,
// and every object is created by, owned by and subject to that role.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle } from 'drizzle-orm/pglite';
import { sql } from 'drizzle-orm';
import { APP_ROLE, assertUuid, type Database, type Tx } from './database.ts';

export interface PgliteOptions {
  /** Directory for the data files; in memory when omitted. */
  dataDir?: string | undefined;
  /** A data directory dump (from dumpDataDir) to start from, e.g. a migrated test template. */
  loadDataDir?: Blob | File | undefined;
  /**
   * How long to wait for another process's hold on the data directory to end (a server
   * restarted right after a crash waits for the dead process's lock to go stale); 0 fails
   * at once.
   */
  lockWaitMs?: number;
}

/** Another process holds the embedded database. */
export class DatabaseInUseError extends Error {
  constructor(dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another Amira process (is \`npm start\` running?). ` +
        'Two processes must never open it at once: stop the server, then run this command again.',
    );
    this.name = 'DatabaseInUseError';
  }
}

/** A lock refreshed every few seconds; a holder that died (kill -9) leaves it stale after 10 s. */
const LOCK_STALE_MS = 10_000;

/**
 * PGlite is a whole PostgreSQL inside this process, with its own buffers: a second process
 * on the same files does not see the first one's writes, and one overwrites the other's
 * (a `create-admin` beside `npm start` reported success, then the account was gone). The
 * lock keeps the data directory to one process.
 */
async function lockDataDir(dataDir: string, waitMs: number): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      stale: LOCK_STALE_MS,
      update: LOCK_STALE_MS / 2,
      realpath: false,
      retries:
        waitMs > 0
          ? { retries: Math.ceil(waitMs / 1000), minTimeout: 1000, maxTimeout: 1000, factor: 1 }
          : 0,
      onCompromised: (error) => {
        // Someone else took the directory (or its lock was removed by hand): writing on
        // could corrupt it. Stop rather than risk it.
        throw error;
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') throw new DatabaseInUseError(dataDir);
    throw error;
  }
}

export interface PgliteDatabase extends Database {
  readonly client: PGlite;
}

/**
 * PostgreSQL's shared buffers inside the WASM memory: 16 MB instead of 128 MB. The whole
 * shared memory is written at start and WASM memory never shrinks, so 128 MB of buffers
 * held about 155 MB of the embedded server's idle RSS; 16 MB holds about 33 MB (issue 17,
 * docs/performance.md). An embedded database is a development or trial one, a few MB: point
 * lookups and catalog reads measured the same; scans of a 51 MB table are a third slower.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

async function startPglite(options: PgliteOptions): Promise<PGlite> {
  const client = new PGlite({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { unaccent },
    // startParams replaces PGlite's defaults: they are kept, the setting added.
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    initDbStartParams: PGLITE_SETTINGS,
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
  return client;
}

export async function openPglite(options: PgliteOptions = {}): Promise<PgliteDatabase> {
  let unlock: (() => Promise<void>) | undefined;
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    unlock = await lockDataDir(options.dataDir, options.lockWaitMs ?? 0);
  }
  let client: PGlite;
  try {
    client = await startPglite(options);
  } catch (error) {
    await unlock?.();
    throw error;
  }
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
      await unlock?.();
      unlock = undefined;
    },
  };
}
