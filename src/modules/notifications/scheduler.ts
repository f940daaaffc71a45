// The per-minute tick: finds whose reminder or affirmation time has come and enqueues one
// delivery job per user, kind and local date. The tick may run in several workers at
// once, or be late: the query ignores what was delivered, the queue holds at most one
// job per key (pg-boss 'exclusive' policy), and the delivery itself claims its key once.
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { NoPayload, type JobDefinition, type Jobs } from '../../platform/jobs/jobs.ts';
import { DEFAULT_PREFERENCES } from './preferences.ts';
import { dueDeliveries } from './repository.ts';
import type { DeliverPayload } from './delivery.ts';

/** How late a delivery may still go out: covers a stopped worker and a DST jump forward. */
export const CATCH_UP_MINUTES = 60;

export function tickJob(deps: {
  name: string;
  db: Database;
  clock: Clock;
  jobs: Jobs;
  deliverJob: JobDefinition<typeof DeliverPayload>;
}): JobDefinition {
  return {
    name: deps.name,
    payload: NoPayload,
    retryLimit: 0, // the next minute's tick is the retry
    expireInSeconds: 55,
    handler: async () => {
      await scheduleDue(deps);
    },
  };
}

export async function scheduleDue(deps: {
  db: Database;
  clock: Clock;
  jobs: Jobs;
  deliverJob: JobDefinition<typeof DeliverPayload>;
}): Promise<number> {
  const due = await deps.db.asSystem((tx) =>
    dueDeliveries(tx, deps.clock.now(), DEFAULT_PREFERENCES, CATCH_UP_MINUTES),
  );
  await deps.jobs.sendMany(
    deps.deliverJob,
    due.map((d) => ({
      payload: { user_id: d.user_id, kind: d.kind, key: d.local_date },
      singletonKey: `${d.kind}:${d.user_id}:${d.local_date}`,
    })),
  );
  return due.length;
}
