// What the row-level-security scope costs per request on PostgreSQL.
//
//   bare      one SELECT on a pooled connection, no transaction (the floor)
//   scoped    db.asUser(): BEGIN + set_config pipelined with the SELECT, then COMMIT
//   naive     a Drizzle transaction awaiting each statement (BEGIN, set_config, SELECT, COMMIT)
//
// Each runs 20,000 requests at 32 concurrent callers after a warm-up, in the same run.
// Usage: npm run bench:rls
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { users } from '../src/modules/auth/tables.ts';
import { percentile, withBenchDatabase } from './support/database.ts';

const REQUESTS = 20_000;
const CONCURRENCY = 32;

async function measure(label: string, op: () => Promise<unknown>) {
  for (let i = 0; i < 2000; i++) await op(); // warm-up: prepared statements, connections
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label,
    rps: Math.round(REQUESTS / seconds),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

await withBenchDatabase('rls', async (url) => {
  const db = openPostgres({ url, poolMax: 10 });
  const userId = randomUUID();
  await db.asUser(userId, (tx) =>
    tx.insert(users).values({
      id: userId,
      email: 'bench@example.com',
      passwordHash: 'x',
      kdfSalt: 's',
      kdfMemoryKib: 1,
      kdfIterations: 1,
      kdfParallelism: 1,
    }),
  );
  // The baselines use a plain pool of the same size (the adapter lends one connection per
  // transaction and has no pool-wide client).
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const plain = drizzle({ client });
  const results = [
    await measure('bare (no RLS scope, sees no rows)', () =>
      plain.select({ id: users.id }).from(users).where(eq(users.id, userId)),
    ),
    await measure('scoped (asUser, pipelined)', () =>
      db.asUser(userId, (tx) =>
        tx.select({ id: users.id }).from(users).where(eq(users.id, userId)),
      ),
    ),
    await measure('naive transaction (4 round trips)', () =>
      plain.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
        return tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
      }),
    ),
  ];
  const check = await db.asUser(userId, (tx) => tx.select({ id: users.id }).from(users));
  if (check.length !== 1) throw new Error('scoped query did not see its own row');
  console.log(`RLS scope cost, ${REQUESTS} requests, ${CONCURRENCY} concurrent, pool of 10`);
  console.log(
    'scenario'.padEnd(40),
    'req/s'.padStart(8),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
  );
  for (const r of results) {
    console.log(
      r.label.padEnd(40),
      String(r.rps).padStart(8),
      r.p50.toFixed(2).padStart(8),
      r.p99.toFixed(2).padStart(8),
    );
  }
  await db.close();
  await client.end();
});
