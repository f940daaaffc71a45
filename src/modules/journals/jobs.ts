// The journals module's jobs, both scheduled: the purge of journals deleted longer ago than
// the retention window (deletion.ts) and the orphan sweep of storage (sweep.ts).
import { NoPayload, type DeclaredJob, type Schedule } from '../../platform/jobs/jobs.ts';
import { purgeDeletedJournals, type PurgeDeps } from './deletion.ts';
import { sweepOrphanObjects, type SweepDeps } from './sweep.ts';

/** The module's schedules (cron in UTC), for the operators' table (src/modules/schedules.ts). */
export const journalsSchedules = [
  {
    job: 'journals.purge-deleted',
    cron: '23 * * * *',
    description: 'purges journals deleted more than `JOURNAL_RETENTION_DAYS` ago, with their audio',
  },
  {
    job: 'journals.sweep-orphans',
    cron: '41 * * * *',
    description:
      'removes stored objects no row points at, half-written upload parts and expired quota reservations',
  },
] as const satisfies readonly Schedule[];

const [purge, sweep] = journalsSchedules;

export type MaintenanceDeps = PurgeDeps & SweepDeps;

export function journalsJobs(deps: MaintenanceDeps): DeclaredJob[] {
  return [
    {
      definition: {
        name: purge.job,
        payload: NoPayload,
        retryLimit: 3,
        handler: async () => {
          const purged = await purgeDeletedJournals(deps);
          if (purged) deps.log.info({ purged }, 'deleted journals purged');
        },
      },
      schedule: purge,
    },
    {
      definition: {
        name: sweep.job,
        payload: NoPayload,
        retryLimit: 3,
        handler: async () => {
          const result = await sweepOrphanObjects(deps);
          if (result.orphans || result.exports || result.parts || result.reservations)
            deps.log.info(result, 'storage swept');
        },
      },
      schedule: sweep,
    },
  ];
}
