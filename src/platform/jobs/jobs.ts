// Background jobs on pg-boss, in the same PostgreSQL (or PGlite) as the data.
//
// - Each job is declared once (name, payload schema, idempotent handler); the registry
//   refuses duplicates, and enqueueing an undeclared job is a programming error.
// - Jobs caused by a request are enqueued with `enqueue(tx, ...)` inside the request's
//   transaction: if it rolls back, the job never existed; if it commits, the job will run.
// - `serve` works the queues in-process by default (embedded mode); the `worker` command
//   runs them alone; tests call `drain()` to run what is due, deterministically.
import { sql } from 'drizzle-orm';
import {
  PgBoss,
  fromDrizzle,
  fromPglite,
  type DrizzleTransactionLike,
  type Job,
  type SendOptions,
} from 'pg-boss';
import type { PGlite } from '@electric-sql/pglite';
import { Type, type TSchema, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { Logger } from 'pino';
import type { Tx } from '../db/database.ts';

/** The payload of a scheduled job that needs none (cleanups, sweeps, ticks). */
export const NoPayload = Type.Object({});

export interface JobContext {
  jobId: string;
  attempt: number;
}

export interface JobDefinition<S extends TSchema = TSchema> {
  name: string;
  payload: S;
  handler: (payload: Static<S>, context: JobContext) => Promise<void>;
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
  /** Parallel jobs of this kind per process. */
  concurrency?: number;
  /** 'exclusive': at most one queued or active job per singleton key (pg-boss queue policy). */
  policy?: 'standard' | 'exclusive';
  /** Jobs a worker fetches at once (default 1). */
  batchSize?: number;
  /**
   * Handles a fetched batch in one call, so that work the jobs share is done once (the same
   * user's evaluation, asked for by ten check-ins). Every job of the batch committed before
   * it was fetched, so one run covers them all. Without it, `handler` runs per job.
   */
  handleBatch?: (payloads: Static<S>[]) => Promise<void>;
}

/**
 * A scheduled job as an operator reads it: each module's jobs.ts exports its list, and
 * src/modules/schedules.ts gathers them into the one table (docs/operations.md, `--help`).
 */
export interface Schedule {
  job: string;
  /** Standard five fields, in UTC. */
  cron: string;
  /** What the run does, in a sentence for operators. */
  description: string;
}

/**
 * A job as its module's jobs.ts declares it: the definition and, for a scheduled job, its
 * schedule. Each module's index.ts registers its list.
 */
export interface DeclaredJob {
  definition: JobDefinition;
  /** Absent for jobs that requests or other jobs enqueue. */
  schedule?: Schedule;
}

/** Defines each declared job, then schedules those with a schedule (with an empty payload). */
export async function registerJobs(jobs: Jobs, declared: readonly DeclaredJob[]): Promise<void> {
  for (const { definition } of declared) jobs.define(definition);
  for (const { definition, schedule } of declared) {
    if (!schedule) continue;
    if (schedule.job !== definition.name)
      throw new Error(`schedule ${schedule.job} given to job ${definition.name}`);
    await jobs.schedule(definition, schedule.cron, {});
  }
}

export interface EnqueueOptions {
  /** Only one queued/active job with this key (pg-boss singleton). */
  singletonKey?: string;
  startAfter?: Date;
}

export interface JobStats {
  name: string;
  queued: number;
  active: number;
  failed: number;
}

export interface Jobs {
  define<S extends TSchema>(definition: JobDefinition<S>): void;
  enqueue<S extends TSchema>(
    tx: Tx,
    definition: JobDefinition<S>,
    payload: Static<S>,
    options?: EnqueueOptions,
  ): Promise<void>;
  send<S extends TSchema>(
    definition: JobDefinition<S>,
    payload: Static<S>,
    options?: EnqueueOptions,
  ): Promise<void>;
  /** Many jobs in one statement (a scheduler's fan-out). */
  sendMany<S extends TSchema>(
    definition: JobDefinition<S>,
    items: { payload: Static<S>; singletonKey?: string }[],
  ): Promise<void>;
  schedule(definition: JobDefinition, cron: string, payload: object): Promise<void>;
  /** What this process schedules once it works the queues: job name and cron, in order. */
  scheduled(): { job: string; cron: string }[];
  /** Creates the queues; with `work`, also starts workers and schedules. */
  start(options: { work: boolean }): Promise<void>;
  /** Runs every job that is due now, repeatedly, until none is left (tests and CLI). */
  drain(names?: string[]): Promise<number>;
  stats(): Promise<JobStats[]>;
  stop(): Promise<void>;
}

export type JobsBackend =
  | { kind: 'pglite'; client: PGlite }
  | {
      kind: 'postgres';
      url: string;
      max: number;
      /** Server-side bounds for pg-boss's own connections too (ms; 0 or absent: none). */
      timeouts?: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
    };

export function createJobs(backend: JobsBackend, log: Logger): Jobs {
  // Both backends run the same schedules and maintenance. Every 15 s the supervisor looks
  // for jobs whose worker stopped sending heartbeats (below).
  const supervision = { superviseIntervalSeconds: 15 };
  const boss =
    backend.kind === 'pglite'
      ? new PgBoss({ backend: 'pglite', db: fromPglite(backend.client), ...supervision })
      : new PgBoss({
          connectionString: backend.url,
          max: backend.max,
          application_name: 'amira-jobs',
          // Startup parameters of its pg pool, as on the app's connections (postgres.ts).
          ...(backend.timeouts?.statementTimeoutMs
            ? { statement_timeout: backend.timeouts.statementTimeoutMs }
            : {}),
          ...(backend.timeouts?.idleInTransactionTimeoutMs
            ? { idle_in_transaction_session_timeout: backend.timeouts.idleInTransactionTimeoutMs }
            : {}),
          ...supervision,
        });
  // A job whose process died (kill -9, OOM, a lost node, a restarted embedded server) is
  // retried once its heartbeat is 30 s stale, instead of waiting out expireInSeconds.
  const heartbeat = { heartbeatSeconds: 30 };
  boss.on('error', (error: Error) => log.error({ err: error }, 'job queue error'));
  const definitions = new Map<string, JobDefinition>();
  const schedules: { name: string; cron: string; payload: object }[] = [];
  let started = false;

  const sendOptions = (definition: JobDefinition, options: EnqueueOptions = {}): SendOptions => ({
    ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    retryLimit: definition.retryLimit ?? 5,
    retryDelay: definition.retryDelaySeconds ?? 10,
    retryBackoff: true,
    expireInSeconds: definition.expireInSeconds ?? 300,
    ...heartbeat,
  });

  const checked = (definition: JobDefinition, payload: unknown) => {
    if (definitions.get(definition.name) !== definition) {
      throw new Error(`job ${definition.name} is not defined`);
    }
    if (!Value.Check(definition.payload, payload)) {
      throw new Error(`invalid payload for job ${definition.name}`);
    }
    return payload as object;
  };

  /**
   * A batch handled at once: jobs whose payload is malformed fail alone, without retries
   * (it never becomes valid); the others share one run of `handleBatch`.
   */
  async function runBatch(
    definition: JobDefinition & Required<Pick<JobDefinition, 'handleBatch'>>,
    jobs: Job<unknown>[],
  ): Promise<string[]> {
    const valid: Job<unknown>[] = [];
    for (const job of jobs)
      if (Value.Check(definition.payload, job.data)) valid.push(job);
      else
        await boss.fail(definition.name, job.id, { message: 'payload does not match its schema' });
    if (valid.length > 0) await definition.handleBatch(valid.map((job) => job.data as never));
    return valid.map((job) => job.id);
  }

  async function run(definition: JobDefinition, job: Job<unknown>): Promise<void> {
    if (!Value.Check(definition.payload, job.data)) {
      // A malformed payload never becomes valid by retrying: fail without retries.
      throw new Error(`job ${definition.name} ${job.id}: payload does not match its schema`);
    }
    const attempt = (job as Job<unknown> & { retryCount?: number }).retryCount ?? 0;
    await definition.handler(job.data, { jobId: job.id, attempt });
  }

  return {
    define(definition) {
      if (definitions.has(definition.name)) throw new Error(`job ${definition.name} defined twice`);
      if (started) throw new Error(`job ${definition.name} defined after start`);
      definitions.set(definition.name, definition);
    },
    async enqueue(tx, definition, payload, options) {
      const data = checked(definition, payload);
      await boss.send(definition.name, data, {
        ...sendOptions(definition, options),
        db: fromDrizzle(tx as unknown as DrizzleTransactionLike, sql),
      });
    },
    async send(definition, payload, options) {
      const data = checked(definition, payload);
      await boss.send(definition.name, data, sendOptions(definition, options));
    },
    async sendMany(definition, items) {
      if (items.length === 0) return;
      await boss.insert(
        definition.name,
        items.map((item) => ({
          data: checked(definition, item.payload),
          // The same retry, expiry and heartbeat settings as a single send.
          ...sendOptions(definition, { singletonKey: item.singletonKey }),
        })),
      );
    },
    async schedule(definition, cron, payload) {
      checked(definition, payload);
      schedules.push({ name: definition.name, cron, payload });
      if (started) await boss.schedule(definition.name, cron, payload);
    },
    scheduled: () => schedules.map(({ name, cron }) => ({ job: name, cron })),
    async start({ work }) {
      await boss.start();
      for (const definition of definitions.values()) {
        await boss.createQueue(definition.name, { policy: definition.policy ?? 'standard' });
      }
      started = true;
      if (!work) return;
      for (const { name, cron, payload } of schedules) await boss.schedule(name, cron, payload);
      for (const definition of definitions.values()) {
        const { handleBatch } = definition;
        await boss.work(
          definition.name,
          {
            localConcurrency: definition.concurrency ?? 1,
            pollingIntervalSeconds: 1,
            batchSize: definition.batchSize ?? 1,
            // A full batch means more is waiting: fetch again at once instead of a second
            // later (a backlog of evaluations drained at one batch a second otherwise).
            burstWhenBatchFull: (definition.batchSize ?? 1) > 1,
          },
          async (jobs) => {
            if (handleBatch) await runBatch({ ...definition, handleBatch }, jobs);
            else for (const job of jobs) await run(definition, job);
          },
        );
      }
    },
    async drain(names) {
      let processed = 0;
      const targets = names ?? [...definitions.keys()];
      for (let round = 0; round < 50; round++) {
        let found = 0;
        for (const name of targets) {
          const definition = definitions.get(name);
          if (!definition) throw new Error(`job ${name} is not defined`);
          const jobs = await boss.fetch<unknown>(name, { batchSize: 50 });
          const { handleBatch } = definition;
          if (handleBatch && jobs.length > 0) {
            found += jobs.length;
            try {
              const handled = await runBatch({ ...definition, handleBatch }, jobs);
              if (handled.length > 0) await boss.complete(name, handled);
            } catch (error) {
              log.warn({ err: error, job: name }, 'job batch failed');
              await boss.fail(
                name,
                jobs.map((job) => job.id),
                { message: (error as Error).message },
              );
            }
            continue;
          }
          for (const job of jobs) {
            found++;
            try {
              await run(definition, job);
              await boss.complete(name, job.id);
            } catch (error) {
              log.warn({ err: error, job: name }, 'job failed');
              await boss.fail(name, job.id, { message: (error as Error).message });
            }
          }
        }
        processed += found;
        if (found === 0) break;
      }
      return processed;
    },
    async stats() {
      const queues = await boss.getQueues([...definitions.keys()]);
      return queues.map((q) => ({
        name: q.name,
        queued: q.queuedCount ?? 0,
        active: q.activeCount ?? 0,
        failed: (q as { failedCount?: number }).failedCount ?? 0,
      }));
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, timeout: 10_000 });
      started = false;
    },
  };
}
