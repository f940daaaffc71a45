// The journals module: end-to-end encrypted voice recordings.
//
// Dependencies, passed at construction: the caller's profile and audit trail (auth) and
// the emotions module (a journal's pre and post check-ins are recorded, read and checked
// through its service), so journals is built after emotions. What emotions asks of
// journals, whether a related journal is the user's, is `journalOwnership`: a query in the
// caller's transaction that needs nothing built, passed to emotions at its construction
// (docs/architecture.md, module map).
import type { Tx } from '../../platform/db/database.ts';
import { registerJobs } from '../../platform/jobs/jobs.ts';
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
import { createEncryptedTitles } from './encrypted-titles.ts';
import { journalsJobs, type MaintenanceDeps } from './jobs.ts';
import { purgeDeletedJournals } from './deletion.ts';
import { sweepOrphanObjects, type SweepResult } from './sweep.ts';
import { journalExists, pathsOfUser } from './repository.ts';
import { journalsExport } from './export.ts';
import { loadSharePage } from './shares/page.ts';
import { ownerShareRoutes, recipientShareRoutes } from './shares/routes.ts';
import { journalsComponents as journalShapes } from './schemas.ts';
import { sharesComponents } from './shares/schemas.ts';

export { journalsSchedules } from './jobs.ts';

/** The shapes of /v1/journals and of share links, named in the OpenAPI document. */
export const journalsComponents = [...journalShapes, ...sharesComponents];
export type { JournalsService } from './service.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'journals.created': JournalCreatedEvent;
    'journals.all-deleted': JournalsDeletedEvent;
  }
}

/** What other modules may ask about a user's journals, inside their own transaction. */
export interface JournalOwnershipPort {
  /** Whether the journal exists and is the user's (in the trash or not). */
  ownedBy(tx: Tx, userId: string, journalId: string): Promise<boolean>;
}

export const journalOwnership: JournalOwnershipPort = {
  ownedBy: (tx, userId, journalId) => journalExists(tx, userId, journalId),
};

export interface JournalsModule extends AppModule {
  service: JournalsService;
  purge(): Promise<number>;
  sweep(): Promise<SweepResult>;
}

export interface JournalsModuleDeps {
  /** The caller's profile (time zone) and the audit trail. */
  auth: AuthModule;
  emotions: EmotionsModule;
}

export async function createJournalsModule(
  platform: Platform,
  deps: JournalsModuleDeps,
): Promise<JournalsModule> {
  const { config, db, clock, storage, secrets, events, jobs, log } = platform;
  const { auth, emotions } = deps;
  const service = createJournalsService({
    db,
    clock,
    storage,
    secrets,
    emotions: emotions.service,
    catalog: emotions.catalog,
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
      appLinkBaseUrl: config.appLinkBaseUrl,
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
  await registerJobs(jobs, journalsJobs(maintenance));
  const sharePage = await loadSharePage();
  platform.dataExport.register(
    journalsExport({ storage, clock, appLinkBaseUrl: config.appLinkBaseUrl }),
  );
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
    prefixes: ['/v1/journals', '/v1/shares', '/s'],
    service,
    purge: () => purgeDeletedJournals(maintenance),
    sweep: () => sweepOrphanObjects(maintenance),
    async routes(app) {
      await app.register(journalsRoutes, {
        prefix: '/v1/journals',
        service,
        titles: createEncryptedTitles({ db, clock }),
        maxUploadBytes: config.journals.maxUploadBytes,
      });
      await app.register(ownerShareRoutes, { prefix: '/v1/journals', service });
      await app.register(recipientShareRoutes, { service, page: sharePage });
    },
  };
}
