// `serve --workers N`: N API processes sharing one port through node:cluster (the primary
// accepts connections and hands them round-robin to the workers), so one server uses every
// core it is given. The processes share what must be shared through PostgreSQL and Redis:
// the data, the job queue, rate-limit budgets, revoked sessions, idempotency records and
// caches. The embedded defaults (PGlite, process memory) are one process's, so more than
// one worker needs DATABASE_URL and REDIS_URL.
//
// Worker 0 starts first and alone: it migrates, loads the content and, unless jobs are
// off, runs the in-process jobs; the others start once it listens. A worker that dies is
// replaced under the same index (so the jobs come back with worker 0). Each worker's
// operations listener, where one is configured, is its own: OPS_PORT + index, one scrape
// target per process.
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import type { Config } from './config.ts';

/** Set by the primary in each worker's environment. */
export const WORKER_INDEX_ENV = 'AMIRA_WORKER_INDEX';

/** A worker that dies is replaced after this long (a crash loop does not spin). */
const RESTART_DELAY_MS = 1000;
/** How long the primary waits for its workers to stop before it exits anyway. */
const STOP_TIMEOUT_MS = 20_000;

/** The number of workers `--workers` asks for: a count, or `auto` for every core. */
export function parseWorkerCount(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return os.availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new Error(`--workers must be a whole number from 1 to 256, or auto (got ${value})`);
  return count;
}

/** Why this configuration cannot run several workers, if it cannot. */
export function multiProcessProblem(config: Config): string | undefined {
  if (!config.databaseUrl)
    return 'More than one worker needs DATABASE_URL: the embedded database belongs to one process.';
  if (!config.redisUrl)
    return 'More than one worker needs REDIS_URL: rate limits, revoked sessions and caches must be shared between the processes.';
  return undefined;
}

/** This process's index among the workers (0 when it is not a cluster worker). */
export function workerIndex(): number {
  // The primary wrote it; nothing else reads the environment outside config.ts.
  // eslint-disable-next-line no-restricted-properties
  const index = Number(process.env[WORKER_INDEX_ENV] ?? '0');
  return cluster.isWorker && Number.isInteger(index) ? index : 0;
}

/** The primary: forks and keeps `count` workers, and stops them on SIGINT/SIGTERM. */
export function runPrimary(count: number, report: (line: string) => void): void {
  const workers = new Map<number, Worker>();
  let stopping = false;
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    workers.set(index, worker);
    let listened = false;
    worker.once('listening', () => {
      listened = true;
    });
    worker.once('exit', (code, signal) => {
      workers.delete(index);
      if (stopping) {
        if (workers.size === 0) process.exit(0);
        return;
      }
      // A worker 0 that never came up (bad configuration, database unreachable) ends the
      // server: restarting it would only repeat the failure.
      if (!listened && index === 0) {
        report(`worker 0 exited before listening (code ${code ?? signal}); stopping`);
        stop(code || 1);
        return;
      }
      report(
        `worker ${index} (pid ${worker.process.pid}) exited (${code ?? signal}); replacing it`,
      );
      setTimeout(() => {
        if (!stopping) fork(index);
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };
  const stop = (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    if (workers.size === 0) process.exit(exitCode);
    for (const worker of workers.values()) worker.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop());

  const first = fork(0);
  first.once('listening', () => {
    for (let index = 1; index < count; index++) fork(index);
    report(`primary ${process.pid}: ${count} workers share the port`);
  });
}
