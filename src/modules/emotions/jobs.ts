// The emotions module's jobs. One, scheduled: keeping the yearly check-in partitions
// ahead of time (the year of 30 days ago, which back-dated check-ins may still reach, this
// year and the next), so that writes never land in the default partition in normal operation.
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { NoPayload, type DeclaredJob, type Schedule } from '../../platform/jobs/jobs.ts';
import { ensurePartitions } from './repository.ts';

/** The module's schedules (cron in UTC), for the operators' table (src/modules/schedules.ts). */
export const emotionsSchedules = [
  {
    job: 'emotions.ensure-partitions',
    cron: '17 3 * * *',
    description: 'makes sure the check-in partitions of this year and the next exist',
  },
] as const satisfies readonly Schedule[];

const [partitions] = emotionsSchedules;

export async function ensureCheckinPartitions(deps: { db: Database; clock: Clock }): Promise<void> {
  const now = deps.clock.now();
  const backdated = new Date(now.getTime() - 31 * 86_400_000);
  const years = new Set([
    backdated.getUTCFullYear(),
    now.getUTCFullYear(),
    now.getUTCFullYear() + 1,
  ]);
  await deps.db.asSystem((tx) =>
    ensurePartitions(
      tx,
      [...years].map((year) => `${year}-01-01`),
    ),
  );
}

export function emotionsJobs(deps: { db: Database; clock: Clock }): DeclaredJob[] {
  return [
    {
      definition: {
        name: partitions.job,
        payload: NoPayload,
        retryLimit: 3,
        handler: () => ensureCheckinPartitions(deps),
      },
      schedule: partitions,
    },
  ];
}
