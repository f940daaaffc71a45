#!/usr/bin/env node
// Command line: serve | worker | migrate | seed | openapi | create-admin | generate-secrets |
// reapply-deletions.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { Platform } from './platform/platform.ts';
import type { FastifyInstance } from 'fastify';
import { generateSigningJwk, SIGNING_ALGORITHMS } from './platform/crypto/signing-keys.ts';
import cluster from 'node:cluster';
import { multiProcessProblem, parseWorkerCount, runPrimary, workerIndex } from './cluster.ts';

// The application is loaded by the commands that run it, not at start: usage, a bad
// variable and generate-secrets answer at once instead of after seconds of loading modules.
const load = {
  platform: () => import('./platform/platform.ts'),
  app: () => import('./app.ts'),
  pglite: () => import('./platform/db/pglite.ts'),
  migrations: () => import('./platform/db/migrate.ts'),
  modules: () => import('./modules/index.ts'),
  schedules: () => import('./modules/schedules.ts'),
};

function usage(scheduleTable: string): string {
  return `Usage: amira <command> [options]

Commands:
  serve [--services auth,...] [--no-jobs] [--workers N|auto]
                                            run the HTTP API (jobs in-process unless --no-jobs or JOBS=off);
                                            --workers: N processes share the port (needs DATABASE_URL and REDIS_URL)
  worker                                    run background jobs only
  migrate                                   apply database migrations and exit
  seed                                      load the content (emotions, tools, ...) and exit
  openapi [--output <file>]                 print the OpenAPI document (or write it to a file)
  create-admin --email <email>              create the first administrator (or promote an account)
  generate-secrets [--alg EdDSA|ES256]      print a new APP_SECRET and JWT_SIGNING_KEYS value (for a vault)
  reapply-deletions                         after a database restore: purge again the accounts the deletion ledger lists

Scheduled jobs (UTC; run by \`serve\` unless --no-jobs, and by \`worker\`):
${scheduleTable}
`;
}

function readConfig(): Config {
  try {
    // The one place that reads the environment.
    // eslint-disable-next-line no-restricted-properties
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/**
 * A server or worker restarted right after a crash waits for the dead process's hold on
 * the embedded database to go stale; one-off commands refuse at once.
 */
const LONG_RUNNING = { databaseLockWaitMs: 15_000 };

function onShutdown(close: () => Promise<void>, log: Platform['log']): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => process.exit(1), 15_000);
      timer.unref();
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      services: { type: 'string' },
      'no-jobs': { type: 'boolean' },
      workers: { type: 'string' },
    },
  });
  const config = readConfig();
  if (cluster.isPrimary) {
    const count = parseWorkerCount(values.workers);
    if (count > 1) {
      const problem = multiProcessProblem(config);
      if (problem) {
        process.stderr.write(`${problem}\n`);
        process.exit(2);
      }
      runPrimary(count, (line) => process.stdout.write(`${line}\n`));
      return;
    }
  }
  // In a cluster, only worker 0 runs the jobs; each worker has an operations port of its own.
  const index = workerIndex();
  const [{ createPlatform }, { seedContent }, { buildApp, buildOperationsApp }] = await Promise.all(
    [load.platform(), load.modules(), load.app()],
  );
  const platform = await createPlatform(config, LONG_RUNNING);
  await seedContent(platform.db);
  const services = values.services
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const work = config.jobs === 'inprocess' && !values['no-jobs'] && index === 0;
  const { app, modules } = await buildApp(platform, { services, runsJobs: work });
  const ops = config.ops ? await buildOperationsApp(platform, app) : undefined;
  await platform.jobs.start({ work });
  for (const module of modules.all) await module.start?.();
  onShutdown(async () => {
    await ops?.close();
    await app.close();
    await platform.close();
  }, platform.log);
  const address = await app.listen({ host: config.host, port: config.port });
  const operations = await listenForOperators(ops, config, index);
  platform.log.info(
    {
      ...(cluster.isWorker ? { worker: index } : {}),
      address,
      operations: operations ?? address,
      database: platform.db.kind,
      jobs: work ? 'in-process' : 'off',
      services: services ?? 'all',
    },
    'Amira Wellness API listening',
  );
}

/** The operations listener (metrics, docs, health), where one is configured. */
async function listenForOperators(
  ops: FastifyInstance | undefined,
  config: Config,
  index = 0,
): Promise<string | undefined> {
  if (!ops || !config.ops) return undefined;
  // exclusive: a cluster worker binds its own port instead of sharing the primary's.
  return ops.listen({
    host: config.ops.host,
    port: config.ops.port === 0 ? 0 : config.ops.port + index,
    exclusive: true,
  });
}

async function worker(): Promise<void> {
  const config = readConfig();
  const [{ createPlatform }, { seedContent }, { buildApp, buildOperationsApp }] = await Promise.all(
    [load.platform(), load.modules(), load.app()],
  );
  const platform = await createPlatform(config, LONG_RUNNING);
  await seedContent(platform.db);
  const { modules } = await buildApp(platform, { runsJobs: true });
  // Health and the queue metrics for Prometheus; a worker serves no API, so no docs.
  const ops = config.ops ? await buildOperationsApp(platform) : undefined;
  await platform.jobs.start({ work: true });
  for (const module of modules.all) await module.start?.();
  onShutdown(async () => {
    await ops?.close();
    await platform.close();
  }, platform.log);
  const operations = await listenForOperators(ops, config);
  platform.log.info({ operations: operations ?? 'none' }, 'worker running');
}

async function migrate(): Promise<void> {
  const config = readConfig();
  if (config.databaseUrl) {
    const { migratePostgresDatabase } = await load.migrations();
    await migratePostgresDatabase(config.databaseUrl);
  } else {
    const [{ openPglite }, { migratePgliteDatabase }] = await Promise.all([
      load.pglite(),
      load.migrations(),
    ]);
    const db = await openPglite({ dataDir: path.join(config.dataDir, 'pglite') });
    await migratePgliteDatabase(db.client);
    await db.close();
  }
  process.stdout.write('migrations applied\n');
}

async function seed(): Promise<void> {
  const config = readConfig();
  const [{ createPlatform }, { seedContent }] = await Promise.all([
    load.platform(),
    load.modules(),
  ]);
  const platform = await createPlatform({ ...config, logLevel: 'warn' });
  const report = await seedContent(platform.db);
  process.stdout.write(`content loaded (rows inserted or changed): ${JSON.stringify(report)}\n`);
  await platform.close();
}

async function openapi(args: string[]): Promise<void> {
  // `npm run cli -- openapi > file` would put npm's banner in the file: --output does not.
  const { values } = parseArgs({ args, options: { output: { type: 'string' } } });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-openapi-'));
  const config = {
    ...readConfig(),
    dataDir,
    databaseUrl: undefined,
    redisUrl: undefined,
    smtpUrl: undefined,
    logLevel: 'silent' as const,
  };
  const [{ createPlatform }, { openPglite }, { buildApp }] = await Promise.all([
    load.platform(),
    load.pglite(),
    load.app(),
  ]);
  const platform = await createPlatform(config, { db: await openPglite(), migrate: false });
  const { app } = await buildApp(platform);
  await app.ready();
  const document = JSON.stringify(app.swagger(), null, 2) + '\n';
  if (values.output) await writeFile(values.output, document);
  else process.stdout.write(document);
  await app.close();
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' } } });
  if (!values.email) throw new Error('create-admin needs --email');
  const config = readConfig();
  const [{ createPlatform }, { buildApp }] = await Promise.all([load.platform(), load.app()]);
  const platform = await createPlatform({ ...config, logLevel: 'warn' });
  const { modules } = await buildApp(platform);
  const result = await modules.auth.auth.createAdmin(values.email);
  process.stdout.write(
    result.created
      ? `Created administrator ${values.email}.\nTemporary password (shown once): ${result.password}\nSign in and change it.\n`
      : `${values.email} is now an administrator.\n`,
  );
  await platform.close();
}

async function reapplyDeletions(): Promise<void> {
  const config = readConfig();
  const [{ createPlatform }, { buildApp }] = await Promise.all([load.platform(), load.app()]);
  const platform = await createPlatform({ ...config, logLevel: 'warn' });
  const { modules } = await buildApp(platform);
  const { found, purged } = await modules.users.deletion.reapplyDeletions();
  process.stdout.write(
    `accounts the deletion ledger lists that the database still held: ${found}, purged: ${purged}\n`,
  );
  await platform.close();
}

async function generateSecrets(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { alg: { type: 'string', default: 'EdDSA' } } });
  const alg = SIGNING_ALGORITHMS.find((known) => known === values.alg);
  if (!alg) throw new Error(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  // Printed for the operator to store in a secret manager; never written to disk here.
  const jwk = await generateSigningJwk(alg);
  process.stdout.write(
    `APP_SECRET=${randomBytes(32).toString('base64url')}\nJWT_SIGNING_KEYS=${JSON.stringify([jwk])}\n`,
  );
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = {
  serve,
  worker,
  migrate,
  seed,
  openapi,
  'create-admin': createAdmin,
  'generate-secrets': generateSecrets,
  'reapply-deletions': reapplyDeletions,
};
const run = command ? commands[command] : undefined;
if (command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(usage((await load.schedules()).scheduleTableText()));
  process.exit(0);
} else if (!run) {
  process.stderr.write(usage((await load.schedules()).scheduleTableText()));
  process.exit(command ? 2 : 0);
} else {
  run(rest).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
