// Request metrics for Prometheus: a latency histogram per route template and status.
// The route template (not the raw URL) keeps label cardinality bounded.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { Jobs } from '../jobs/jobs.ts';

export function registerRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
}

/** Read when Prometheus scrapes: the database pool and its timeouts, the job queues. */
export function registerPlatformMetrics(registry: Registry, db: Database, jobs: Jobs): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool: configured size, idle connections, requests waiting for one',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = db.poolStats();
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  // Counted by the database adapter (PostgreSQL; PGlite enforces no timeouts), added here.
  const seen = { statement: 0, idle_in_transaction: 0 };
  const timeouts = new Counter({
    name: 'db_timeouts_total',
    help:
      'Transactions PostgreSQL ended for taking too long: a statement past statement_timeout ' +
      '(kind="statement") or an idle gap past idle_in_transaction_session_timeout',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const counts = db.timeouts?.();
      if (!counts) return;
      for (const kind of ['statement', 'idle_in_transaction'] as const) {
        if (counts[kind] > seen[kind]) this.inc({ kind }, counts[kind] - seen[kind]);
        seen[kind] = counts[kind];
      }
    },
  });
  timeouts.inc({ kind: 'statement' }, 0);
  timeouts.inc({ kind: 'idle_in_transaction' }, 0);
  new Gauge({
    name: 'job_queue_jobs',
    help: 'Jobs per queue and state (queued, active, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        for (const queue of await jobs.stats()) {
          this.set({ queue: queue.name, state: 'queued' }, queue.queued);
          this.set({ queue: queue.name, state: 'active' }, queue.active);
          this.set({ queue: queue.name, state: 'failed' }, queue.failed);
        }
      } catch {
        // The database is down: the readiness check says so; keep the last values.
      }
    },
  });
}
