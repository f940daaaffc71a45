// The platform and every module's services on a fresh, migrated database, without the HTTP
// app: for tests that exercise a service, with data from the factories (factories.ts).
// createTestApp (app.ts) builds the HTTP app on the same footing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { loggerOptions } from '../../src/platform/logger.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { createModules, type Modules } from '../../src/modules/index.ts';
import { freshDatabase, replicaDatabase, type TestDatabase } from './database.ts';
import { ManualClock } from './clock.ts';
import { startSmtp, type Inbox } from './smtp.ts';

export interface TestServices {
  platform: Platform;
  modules: Modules;
  clock: ManualClock;
  db: TestDatabase;
  inbox: Inbox | undefined;
  dataDir: string;
  logs: string[];
  drainJobs(): Promise<number>;
  close(): Promise<void>;
}

export interface TestServicesOptions {
  env?: Record<string, string>;
  smtp?: boolean;
  start?: Date | string;
  /** Another replica: same database, data directory (keys) and configuration as this one. */
  replicaOf?: Pick<TestServices, 'db' | 'dataDir'>;
  /** A PostgreSQL database of the test's own (a private cluster), already migrated and seeded. */
  databaseUrl?: string;
  /** A data directory of the test's own (shared with a server process it started); kept at close. */
  dataDir?: string;
}

/** A test platform before any module exists, and how to release what it opened. */
export interface TestPlatform extends Omit<TestServices, 'modules' | 'drainJobs' | 'close'> {
  release: () => Promise<void>;
}

export async function createTestPlatform(options: TestServicesOptions = {}): Promise<TestPlatform> {
  const replicaOf = options.replicaOf;
  const dataDir =
    options.dataDir ?? replicaOf?.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'amira-data-')));
  const db = options.databaseUrl
    ? Object.assign(openPostgres({ url: options.databaseUrl, poolMax: 5 }), {
        url: options.databaseUrl,
      })
    : replicaOf
      ? await replicaDatabase(replicaOf.db)
      : await freshDatabase();
  const inbox = options.smtp ? await startSmtp() : undefined;
  const clock = new ManualClock(options.start);
  const logs: string[] = [];
  const log = pino(loggerOptions('info', false), { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: 'http://api.test',
    APP_LINK_BASE_URL: 'https://app.test',
    // Tests send many requests from one address; the global budget is tested on its own.
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    // The embedded database blocks the loop while a test file loads it; shedding is tested alone.
    MAX_EVENT_LOOP_DELAY_MS: '600000',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...(inbox ? { SMTP_URL: inbox.url } : {}),
    ...options.env,
  });
  const platform = await createPlatform(config, { log, clock, db, migrate: false });
  return {
    platform,
    clock,
    db,
    inbox,
    dataDir,
    logs,
    release: async () => {
      if (replicaOf && db.kind === 'pglite') {
        await platform.jobs.stop(); // the shared embedded database belongs to the first one
      } else {
        await platform.close();
      }
      await inbox?.close();
      if (!replicaOf && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts what the modules need after they are built (jobs without workers, catalogs). */
export async function startModules(platform: Platform, modules: Modules): Promise<void> {
  await platform.jobs.start({ work: false });
  for (const module of modules.all) await module.start?.();
}

export async function createTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
  const { release, ...base } = await createTestPlatform(options);
  const modules = await createModules(base.platform);
  await startModules(base.platform, modules);
  return {
    ...base,
    modules,
    drainJobs: () => base.platform.jobs.drain(),
    close: release,
  };
}
