// The journals module: end-to-end encrypted voice recordings.
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import type { EmotionsModule } from '../emotions/index.ts';
import {
  createJournalsService,
  type JournalCreatedEvent,
  type JournalsDeletedEvent,
  type JournalsService,
} from './service.ts';
import { journalsRoutes } from './routes.ts';
import {
  maintenanceJobs,
  purgeDeletedJournals,
  sweepOrphanObjects,
  type MaintenanceDeps,
} from './jobs.ts';
import { journalExists, pathsOfUser } from './repository.ts';
import { journalsExport } from './export.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'journals.created': JournalCreatedEvent;
    'journals.all-deleted': JournalsDeletedEvent;
  }
}

export interface JournalsModule extends AppModule {
  service: JournalsService;
  purge(): Promise<number>;
  sweep(): Promise<{ orphans: number; exports: number; parts: number; reservations: number }>;
}

export async function createJournalsModule(
  platform: Platform,
  auth: AuthModule,
  emotions: EmotionsModule,
): Promise<JournalsModule> {
  const { config, db, clock, storage, secrets, events, jobs, log } = platform;
  const service = createJournalsService({
    db,
    clock,
    storage,
    secrets,
    emotions: emotions.service,
    catalog: () => emotions.catalog(),
    profiles: auth,
    log,
    settings: {
      maxUploadBytes: config.journals.maxUploadBytes,
      quotaBytes: (role) =>
        role === 'premium' || role === 'admin'
          ? config.journals.quotaBytes.premium
          : config.journals.quotaBytes.standard,
      retentionDays: config.journals.retentionDays,
      exportLinkTtlSeconds: config.journals.exportLinkTtlSeconds,
      publicBaseUrl: config.publicBaseUrl,
    },
    onCreated: (tx, event) => events.emit(tx, 'journals.created', event),
    onAllDeleted: (tx, event) => events.emit(tx, 'journals.all-deleted', event),
    audit: (...args) => auth.recordSecurityEvent(...args),
  });
  const maintenance: MaintenanceDeps = {
    db,
    clock,
    storage,
    log,
    retentionDays: config.journals.retentionDays,
    exportLinkTtlSeconds: config.journals.exportLinkTtlSeconds,
  };
  const { purge, sweep } = maintenanceJobs(maintenance);
  jobs.define(purge);
  jobs.define(sweep);
  await jobs.schedule(purge, '23 * * * *', {});
  await jobs.schedule(sweep, '41 * * * *', {});
  emotions.bind({ journalOwnedBy: (tx, userId, id) => journalExists(tx, userId, id) });
  platform.dataExport.register(journalsExport({ storage, toDto: service.toDto }));
  platform.deletion.register('journals.objects', async (tx, userId) => {
    const paths = await pathsOfUser(tx, userId);
    return () =>
      service.deleteStoredObjects(
        userId,
        paths.map((p) => p.storagePath),
      );
  });

  return {
    name: 'journals',
    prefixes: ['/v1/journals'],
    service,
    purge: () => purgeDeletedJournals(maintenance),
    sweep: () => sweepOrphanObjects(maintenance),
    async routes(app) {
      await app.register(journalsRoutes, {
        prefix: '/v1/journals',
        service,
        maxUploadBytes: config.journals.maxUploadBytes,
      });
    },
  };
}
