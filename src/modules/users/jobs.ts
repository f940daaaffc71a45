// Background jobs of the users module, all declared here (usersJobs is the list index.ts
// registers): the hourly purge of accounts whose deletion grace period is over, and the
// full data export's build and hourly cleanup.
//
// Their names keep the `auth.` prefix they were created with: pg-boss keeps queues and
// schedules by name in the database, so renaming them would strand queued jobs and leave
// the old schedules firing with no handler.
import { Type } from 'typebox';
import type { Logger } from 'pino';
import {
  NoPayload,
  type DeclaredJob,
  type JobDefinition,
  type Schedule,
} from '../../platform/jobs/jobs.ts';
import type { DeletionService } from './deletion/service.ts';
import { expireExports, type DataExportDeps } from './data-export/service.ts';
import { BUILD_RETRIES, buildExport } from './data-export/build.ts';

/**
 * The module's schedules (cron in UTC), for the operators' table (src/modules/schedules.ts).
 * Hourly purge: an account is purged at most an hour after its purge_after.
 */
export const usersSchedules = [
  {
    job: 'auth.purge-deleted-accounts',
    cron: '7 * * * *',
    description:
      'purges accounts whose deletion grace period (`ACCOUNT_DELETION_GRACE_DAYS`) is over',
  },
  {
    job: 'auth.data-exports-expire',
    cron: '37 * * * *',
    description:
      'deletes full data exports older than `DATA_EXPORT_TTL_DAYS`, fails lost ones, removes stray archives',
  },
] as const satisfies readonly Schedule[];
const [purgeSchedule, exportCleanupSchedule] = usersSchedules;

export const BuildExportPayload = Type.Object({
  export_id: Type.String({ format: 'uuid' }),
  user_id: Type.String({ format: 'uuid' }),
});

export function usersJobs(deps: {
  deletion: Pick<DeletionService, 'purgeDue'>;
  exports: DataExportDeps;
  log: Logger;
}) {
  /**
   * Each account is purged in its own transaction and re-checked under a row lock, so a run
   * is idempotent and a sign-in that restored the account wins.
   */
  const purgeDeletedAccounts: JobDefinition<typeof NoPayload> = {
    name: purgeSchedule.job,
    payload: NoPayload,
    retryLimit: 3,
    // A run works through every due account; another run of the schedule waits for it.
    policy: 'exclusive',
    expireInSeconds: 3600,
    async handler() {
      const { purged, failed } = await deps.deletion.purgeDue();
      if (purged || failed) deps.log.info({ purged, failed }, 'deleted accounts purged');
      if (failed) throw new Error(`${failed} account purge(s) failed`);
    },
  };

  const buildDataExport: JobDefinition<typeof BuildExportPayload> = {
    name: 'auth.data-export',
    payload: BuildExportPayload,
    retryLimit: BUILD_RETRIES,
    retryDelaySeconds: 60,
    // A large account (many recordings) takes a while; the heartbeat still catches a dead worker.
    expireInSeconds: 2 * 60 * 60,
    handler: (payload, context) =>
      buildExport(deps.exports, payload.export_id, payload.user_id, context),
  };

  const expireDataExports: JobDefinition<typeof NoPayload> = {
    name: exportCleanupSchedule.job,
    payload: NoPayload,
    retryLimit: 3,
    async handler() {
      const result = await expireExports(deps.exports);
      if (result.expired || result.stale || result.orphans)
        deps.log.info(result, 'data exports cleaned up');
    },
  };

  const declared: DeclaredJob[] = [
    { definition: purgeDeletedAccounts, schedule: purgeSchedule },
    { definition: buildDataExport },
    { definition: expireDataExports, schedule: exportCleanupSchedule },
  ];
  return { purgeDeletedAccounts, buildDataExport, expireDataExports, declared };
}

export type UsersJobs = ReturnType<typeof usersJobs>;
