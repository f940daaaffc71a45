// The purge of accounts whose deletion grace period is over (DELETE /v1/users/me disables
// them; this deletes them for good). Hourly: an account is deleted at most an hour after
// its purge_after. Each account is purged in its own transaction and re-checked under a
// row lock, so a run is idempotent and a sign-in that restored the account wins.
import type { Logger } from 'pino';
import { NoPayload, type JobDefinition } from '../../platform/jobs/jobs.ts';
import type { UsersService } from './users.service.ts';

export const PURGE_SCHEDULE = '7 * * * *';

export function accountPurgeJob(deps: {
  users: Pick<UsersService, 'purgeDue'>;
  log: Logger;
}): JobDefinition<typeof NoPayload> {
  return {
    name: 'auth.purge-deleted-accounts',
    payload: NoPayload,
    retryLimit: 3,
    // A run works through every due account; another run of the schedule waits for it.
    policy: 'exclusive',
    expireInSeconds: 3600,
    async handler() {
      const { purged, failed } = await deps.users.purgeDue();
      if (purged || failed) deps.log.info({ purged, failed }, 'deleted accounts purged');
      if (failed) throw new Error(`${failed} account purge(s) failed`);
    },
  };
}
