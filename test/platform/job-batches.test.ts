// A batched job as the real worker runs it (pg-boss polling, no draining by hand): a backlog
// is fetched in full batches one after another, not one batch per polling interval, and a
// short batch ends the burst.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { Type } from 'typebox';
import { createJobs, type JobDefinition, type Jobs } from '../../src/platform/jobs/jobs.ts';
import { queryRows } from '../../src/platform/db/database.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

let db: TestDatabase;
let jobs: Jobs;
const batches: number[][] = [];
const BATCH = 10;
const Payload = Type.Object({ n: Type.Integer() });
const batched: JobDefinition<typeof Payload> = {
  name: 'test.batched',
  payload: Payload,
  batchSize: BATCH,
  handler: async () => {
    throw new Error('handled in batches only');
  },
  handleBatch: async (payloads) => {
    batches.push(payloads.map((payload) => payload.n));
  },
};

beforeAll(async () => {
  db = await freshDatabase();
  jobs = createJobs(
    'client' in db
      ? { kind: 'pglite', client: db.client }
      : { kind: 'postgres', url: db.url!, max: 2 },
    pino({ level: 'silent' }),
  );
  jobs.define(batched);
  await jobs.start({ work: true });
});
afterAll(async () => {
  await jobs.stop();
  await db.close();
});

describe('batched jobs', () => {
  it('drains a backlog batch after batch without waiting a polling interval between them', async () => {
    const count = 10 * BATCH + 3;
    await jobs.sendMany(
      batched,
      Array.from({ length: count }, (_, n) => ({ payload: { n } })),
    );
    await waitFor(async () => batches.flat().length === count, { timeoutMs: 60_000 });
    expect(batches.flat().sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, n) => n),
    );
    // Eleven fetches: ten full batches and the rest (never more than a batch at once).
    expect(batches.every((batch) => batch.length <= BATCH)).toBe(true);
    expect(batches.length).toBe(11);
    // At one fetch a second (the polling interval) the eleven would start over 10 s; fetched
    // again at once while batches come back full, they start within a few hundred ms.
    const [spread] = await db.unscoped((tx) =>
      queryRows<{ seconds: number }>(
        tx,
        sql`select extract(epoch from max(started_on) - min(started_on))::float8 as seconds
            from pgboss.job where name = 'test.batched'`,
      ),
    );
    expect(spread!.seconds).toBeLessThan(5);
  });
});
