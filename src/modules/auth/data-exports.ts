// Wiring of the full data export inside the auth module (which owns the data_exports
// table): the service, its jobs, its account-deletion step and the account's own files.
import type { Platform } from '../../platform/platform.ts';
import type { JobDefinition } from '../../platform/jobs/jobs.ts';
import type { SendEmailPayload } from './jobs.ts';
import { createDataExportsService, type DataExportsService } from './data-exports.service.ts';
import { accountExport } from './account-export.ts';

export async function setUpDataExports(
  platform: Platform,
  emailJob: JobDefinition<typeof SendEmailPayload>,
): Promise<DataExportsService> {
  const { config, jobs } = platform;
  const service = createDataExportsService({
    db: platform.db,
    clock: platform.clock,
    storage: platform.storage,
    secrets: platform.secrets,
    jobs,
    registry: platform.dataExport,
    limiter: platform.limiters({ name: 'data-export-user', points: 3, durationSeconds: 86_400 }),
    emailJob,
    settings: {
      ttlDays: config.account.exportTtlDays,
      linkTtlSeconds: config.journals.exportLinkTtlSeconds,
      publicBaseUrl: config.publicBaseUrl,
    },
    log: platform.log,
  });
  jobs.define(service.jobs.build);
  jobs.define(service.jobs.cleanup);
  await jobs.schedule(service.jobs.cleanup, '37 * * * *', {});
  platform.deletion.register('auth.data-exports', (tx, userId) => service.deleteAllOf(tx, userId));
  // The account's files come first in the archive (registered before any other module).
  platform.dataExport.register(accountExport(platform.clock));
  return service;
}
