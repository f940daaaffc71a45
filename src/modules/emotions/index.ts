// The emotions module: the catalog, check-ins and their analytics.
//
// Dependencies, all passed at construction (src/modules/index.ts; docs/architecture.md,
// module map). Emotions and tools name each other, and journals records check-ins through
// emotions while emotions checks a check-in's related journal; so:
//  - the emotion catalog (`createEmotionCatalog`) is built before the modules and loaded
//    when this module starts: tools reads it;
//  - the tool library's catalog port (recommendations, a helpful tool's name, a check-in's
//    related tool) comes from `createToolLibrary`, also built before the modules, so the
//    tools module itself is built after this one;
//  - whether a journal is the user's is `journalOwnership`, a query the journals module
//    exposes without being built, so journals is built after this module.
import type { Platform } from '../../platform/platform.ts';
import { registerJobs } from '../../platform/jobs/jobs.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import type { JournalOwnershipPort } from '../journals/index.ts';
import type { ToolCatalogPort } from '../tools/index.ts';
import type { EmotionCatalog, LoadedEmotionCatalog } from './catalog.ts';
import {
  createEmotionsService,
  type CheckinsDeletedEvent,
  type CheckinRecordedEvent,
  type EmotionsService,
} from './service.ts';
import { createAnalyticsService, type AnalyticsService } from './analytics/service.ts';
import { loadAnalyticsTexts } from './texts.ts';
import { emotionsRoutes } from './routes.ts';
import { createEncryptedNotes } from './encrypted-notes.ts';
import { emotionsJobs, ensureCheckinPartitions } from './jobs.ts';
import { emotionsExport } from './export.ts';

export { createEmotionCatalog, seedEmotionTypes, storedEmotionCodes } from './catalog.ts';
export type { EmotionCatalog, LoadedEmotionCatalog } from './catalog.ts';
export { emotionsSchedules } from './jobs.ts';
export { Checkin, NOTES_MAX_BYTES, emotionsComponents } from './schemas.ts';
export type { CheckinDto, EmotionTypeDto, RecommendationsDto } from './schemas.ts';
export type { EmotionsService } from './service.ts';
export type { AnalyticsService } from './analytics/service.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'emotions.checkin-recorded': CheckinRecordedEvent;
    'emotions.checkins-deleted': CheckinsDeletedEvent;
  }
}

export interface EmotionsModule extends AppModule {
  service: EmotionsService;
  analytics: AnalyticsService;
  catalog: () => EmotionCatalog;
  /** Creates the check-in partitions around the current year (the daily job's work). */
  ensurePartitions(): Promise<void>;
}

export interface EmotionsModuleDeps {
  /** The caller's profile (language, time zone) and the audit trail. */
  auth: AuthModule;
  /** Loaded by this module's start. */
  catalog: LoadedEmotionCatalog;
  tools: ToolCatalogPort;
  journals: JournalOwnershipPort;
}

export async function createEmotionsModule(
  platform: Platform,
  deps: EmotionsModuleDeps,
): Promise<EmotionsModule> {
  const { db, clock, events, jobs } = platform;
  const { auth, tools } = deps;
  const catalog = deps.catalog.current;
  const service = createEmotionsService({
    db,
    clock,
    catalog,
    profiles: auth,
    journals: deps.journals,
    tools,
    onRecorded: (tx, event) => events.emit(tx, 'emotions.checkin-recorded', event),
    onAllDeleted: (tx, event) => events.emit(tx, 'emotions.checkins-deleted', event),
    audit: (...args) => auth.recordSecurityEvent(...args),
  });
  const analytics = createAnalyticsService({
    db,
    clock,
    catalog,
    profiles: auth,
    tools,
    texts: await loadAnalyticsTexts(),
  });
  await registerJobs(jobs, emotionsJobs({ db, clock }));
  platform.deletion.register('emotions.checkins', async (tx, userId) => {
    await service.deleteAll(tx, userId);
  });
  platform.dataExport.register(emotionsExport(catalog));

  return {
    name: 'emotions',
    prefixes: ['/v1/emotions'],
    service,
    analytics,
    catalog,
    ensurePartitions: () => ensureCheckinPartitions({ db, clock }),
    async start() {
      await deps.catalog.load();
      await ensureCheckinPartitions({ db, clock });
    },
    async routes(app) {
      await app.register(emotionsRoutes, {
        prefix: '/v1/emotions',
        service,
        analytics,
        catalog,
        notes: createEncryptedNotes(db),
      });
    },
  };
}
