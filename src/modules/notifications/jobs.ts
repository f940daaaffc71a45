// The notifications module's jobs, all declared here (notificationsJobs is the list index.ts
// registers): the per-minute tick that finds whose reminder or affirmation time has come
// (scheduler.ts), and the delivery of one notification, enqueued by the tick and by an
// achievement's award (delivery.ts).
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DeclaredJob, JobDefinition, Jobs, Schedule } from '../../platform/jobs/jobs.ts';
import { DeliverPayload, type DeliverInput } from './delivery.ts';
import { tickJob } from './scheduler.ts';

/** The module's schedules (cron in UTC), for the operators' table (src/modules/schedules.ts). */
export const notificationsSchedules = [
  {
    job: 'notifications.tick',
    cron: '* * * * *',
    description: "reminders and affirmations at each user's local time",
  },
] as const satisfies readonly Schedule[];
const [tickSchedule] = notificationsSchedules;

export type DeliverJob = JobDefinition<typeof DeliverPayload>;

export function notificationsJobs(deps: {
  db: Database;
  clock: Clock;
  jobs: Jobs;
  deliver: (input: DeliverInput) => Promise<unknown>;
}) {
  const deliverJob: DeliverJob = {
    name: 'notifications.deliver',
    payload: DeliverPayload,
    // One queued or running delivery per user, kind and key.
    policy: 'exclusive',
    concurrency: 4,
    retryLimit: 8,
    retryDelaySeconds: 30,
    handler: async (payload) => {
      await deps.deliver(payload);
    },
  };
  const tick = tickJob({ ...deps, name: tickSchedule.job, deliverJob });
  const declared: DeclaredJob[] = [
    { definition: deliverJob },
    { definition: tick, schedule: tickSchedule },
  ];
  return { deliverJob, declared };
}
