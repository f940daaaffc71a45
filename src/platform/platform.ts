// Chooses and builds the infrastructure from the configuration, in one place: database,
// cache, rate-limit store, mail, jobs, keys. Modules receive the result; tests build it
// with their own database, clock and loopback servers instead of mocks.
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config.ts';
import type { Database } from './db/database.ts';
import { openPglite, type PgliteDatabase } from './db/pglite.ts';
import { openPostgres, type PostgresDatabase } from './db/postgres.ts';
import { migratePgliteDatabase, migratePostgresDatabase } from './db/migrate.ts';
import { systemClock, type Clock } from './clock.ts';
import { createRedis } from './cache/redis.ts';
import { createRequestBudgetFactory, type RequestBudgetFactory } from './http/request-budget.ts';
import { memoryStore, redisStore, type KeyValueStore } from './cache/kv.ts';
import { memoryExpiringSet, redisExpiringSet, type ExpiringSet } from './cache/expiring-set.ts';
import { createLimiterFactory, type LimiterFactory } from './http/rate-limit.ts';
import { createOutboxMailer, createSmtpMailer, guardedMailer, type Mailer } from './mail/mailer.ts';
import { createJobs, type Jobs } from './jobs/jobs.ts';
import { createSecrets, loadAppSecret, type Secrets } from './crypto/secrets.ts';
import { loadSigningKeys, type SigningKeys } from './crypto/signing-keys.ts';
import { createAccountDeletion, type AccountDeletion } from './account-deletion.ts';
import { createDataExportRegistry, type DataExportRegistry } from './data-export.ts';
import { createDomainEvents, type DomainEvents } from './events.ts';
import { loggerOptions } from './logger.ts';
import type { ObjectStorage } from './storage/storage.ts';
import { createLocalStorage } from './storage/local.ts';
import { createS3Storage } from './storage/s3.ts';
import { guardedStorage, STORAGE_TIMEOUT_MS } from './storage/guarded.ts';
import { createGuard } from './resilience.ts';
import type { PushProvider } from './push/push.ts';
import { createPushProvider } from './push/provider.ts';
import { createTracing, type Tracing } from './http/tracing.ts';

export interface ReadinessCheck {
  check: () => Promise<void>;
  /** A failing optional dependency (one with a fallback) leaves the process ready. */
  required: boolean;
}

export interface Platform {
  config: Config;
  log: Logger;
  clock: Clock;
  db: Database;
  redis: Redis | undefined;
  kv: KeyValueStore;
  /** A cache set that knows when it was lost (shared through Redis when configured). */
  expiringSet(name: string): ExpiringSet;
  limiters: LimiterFactory;
  /** The gateway's request budgets (counted here, shared through Redis a few times a second). */
  requestBudgets: RequestBudgetFactory;
  mailer: Mailer;
  jobs: Jobs;
  secrets: Secrets;
  keys: SigningKeys;
  storage: ObjectStorage;
  push: PushProvider;
  deletion: AccountDeletion;
  /** What each module puts into a user's full data export. */
  dataExport: DataExportRegistry;
  events: DomainEvents;
  metrics: Registry;
  /** Request spans over OTLP, when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing: Tracing | undefined;
  /** Dependencies /health/ready checks, by name. Modules add theirs. */
  readiness: Map<string, ReadinessCheck>;
  close(): Promise<void>;
}

export interface PlatformOverrides {
  log?: Logger;
  clock?: Clock;
  /** An already migrated database (tests pass a fresh one per file). */
  db?: PgliteDatabase | PostgresDatabase;
  /** Apply migrations at start (default: true). */
  migrate?: boolean;
  /**
   * Embedded database: how long to wait for another process's hold on the data directory
   * (default 0: a command run beside a live server refuses at once).
   */
  databaseLockWaitMs?: number;
}

async function openDatabase(
  config: Config,
  log: Logger,
  migrate: boolean,
  lockWaitMs: number,
): Promise<PgliteDatabase | PostgresDatabase> {
  if (!config.databaseUrl) {
    const db = await openPglite({ dataDir: path.join(config.dataDir, 'pglite'), lockWaitMs });
    if (migrate) await migratePgliteDatabase(db.client);
    return db;
  }
  if (migrate) await migratePostgresDatabase(config.databaseUrl);
  const db = openPostgres({
    url: config.databaseUrl,
    poolMax: config.databasePoolMax,
    prepare: config.databasePreparedStatements,
    ...config.databaseTimeouts,
  });
  if (await db.bypassesRowSecurity()) {
    const message =
      'The database role is a superuser or has BYPASSRLS: row-level security is not enforced. ' +
      'Connect as the application role (see docs/operations.md).';
    if (config.production) {
      await db.close();
      throw new Error(message);
    }
    log.warn(message);
  }
  return db;
}

export async function createPlatform(
  config: Config,
  overrides: PlatformOverrides = {},
): Promise<Platform> {
  const log =
    overrides.log ??
    pino(loggerOptions(config.logLevel, config.env === 'development' && process.stdout.isTTY));
  const clock = overrides.clock ?? systemClock;
  const db =
    overrides.db ??
    (await openDatabase(
      config,
      log,
      overrides.migrate ?? config.migrateOnStart,
      overrides.databaseLockWaitMs ?? 0,
    ));
  const metrics = new Registry();
  const redis = config.redisUrl ? createRedis(config.redisUrl, log, metrics) : undefined;
  const redisGuard = redis
    ? createGuard(
        'redis',
        { timeoutMs: 1500, failures: 3, halfOpenAfterMs: 5000, retryAfterSeconds: 5 },
        metrics,
        log,
      )
    : undefined;
  const kv =
    redis && redisGuard
      ? redisStore(redis, config.redisKeyPrefix, redisGuard)
      : memoryStore(() => clock.now().getTime());
  const expiringSet = (name: string): ExpiringSet =>
    redis && redisGuard
      ? redisExpiringSet(redis, `${config.redisKeyPrefix}set:${name}`, redisGuard)
      : memoryExpiringSet();
  const mailer = guardedMailer(
    config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : createOutboxMailer(config.dataDir, config.mailFrom, log, !config.production),
    createGuard(
      'smtp',
      {
        timeoutMs: 15_000,
        failures: 5,
        halfOpenAfterMs: 30_000,
        bulkhead: { limit: 4, queue: 100 },
      },
      metrics,
      log,
    ),
  );
  const jobs = createJobs(
    db.kind === 'pglite'
      ? { kind: 'pglite', client: (db as PgliteDatabase).client }
      : {
          kind: 'postgres',
          url: config.databaseUrl ?? '',
          max: 4,
          timeouts: config.databaseTimeouts,
        },
    log,
  );
  const secrets = createSecrets(await loadAppSecret(config.appSecret, config.dataDir));
  const keys = await loadSigningKeys(config.jwtSigningKeys, config.dataDir);
  const storage = guardedStorage(
    config.s3
      ? createS3Storage(config.s3)
      : createLocalStorage(path.join(config.dataDir, 'objects')),
    (ignore) =>
      createGuard(
        'storage',
        {
          timeoutMs: STORAGE_TIMEOUT_MS,
          failures: 5,
          halfOpenAfterMs: 10_000,
          bulkhead: { limit: 64, queue: 128 },
          ignore,
        },
        metrics,
        log,
      ),
  );
  const tracing = config.tracing ? createTracing(config.tracing) : undefined;
  const push = await createPushProvider(config, log, clock, metrics);
  collectDefaultMetrics({ register: metrics });
  const readiness = new Map<string, ReadinessCheck>([
    ['database', { check: () => db.ping(), required: true }],
    ['storage', { check: () => storage.ping(), required: true }],
    ['jobs', { check: () => jobs.stats().then(() => undefined), required: true }],
  ]);
  if (redis) {
    readiness.set('redis', {
      check: async () => {
        if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
      },
      required: false,
    });
  }

  return {
    config,
    log,
    clock,
    db,
    redis,
    kv,
    expiringSet,
    limiters: createLimiterFactory(redis, config.redisKeyPrefix),
    requestBudgets: createRequestBudgetFactory(
      redis && redisGuard
        ? { redis, keyPrefix: config.redisKeyPrefix, guard: redisGuard }
        : undefined,
    ),
    mailer,
    jobs,
    secrets,
    keys,
    storage,
    push,
    deletion: createAccountDeletion(),
    dataExport: createDataExportRegistry(),
    events: createDomainEvents(),
    metrics,
    tracing,
    readiness,
    async close() {
      await tracing?.shutdown().catch((error: unknown) => log.warn({ err: error }, 'tracing'));
      await jobs.stop().catch((error: unknown) => log.warn({ err: error }, 'stopping jobs failed'));
      mailer.close();
      redis?.disconnect();
      await db.close();
    },
  };
}
