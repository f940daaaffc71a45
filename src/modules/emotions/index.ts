// The emotions module: the catalog, check-ins and their analytics.
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import { loadEmotionCatalog, type EmotionCatalog } from './catalog.ts';
import {
  createEmotionsService,
  type CheckinsDeletedEvent,
  type CheckinRecordedEvent,
  type EmotionsService,
  type RelatedEntities,
} from './service.ts';
import { createAnalyticsService, type AnalyticsService } from './analytics.service.ts';
import { loadAnalyticsTexts } from './texts.ts';
import type { ToolCatalogPort } from './recommendations.ts';
import { emotionsRoutes } from './routes.ts';
import { ensureCheckinPartitions, partitionJob } from './jobs.ts';
import { emotionsExport } from './export.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'emotions.checkin-recorded': CheckinRecordedEvent;
    'emotions.checkins-deleted': CheckinsDeletedEvent;
  }
}

export interface EmotionsModule extends AppModule {
  service: EmotionsService;
  analytics: AnalyticsService;
  catalog(): EmotionCatalog;
  /** Creates the check-in partitions around the current year (the daily job's work). */
  ensurePartitions(): Promise<void>;
  /** Called once the modules it relates to exist (tools, journals). */
  bind(links: {
    tools?: ToolCatalogPort;
    journalOwnedBy?: RelatedEntities['journalOwnedBy'];
  }): void;
}

export async function createEmotionsModule(
  platform: Platform,
  auth: AuthModule,
): Promise<EmotionsModule> {
  const { db, clock, events, jobs } = platform;
  let catalog: EmotionCatalog | undefined;
  const currentCatalog = () => {
    if (!catalog) throw new Error('emotion catalog not loaded (module not started)');
    return catalog;
  };
  let tools: ToolCatalogPort | undefined;
  const related: RelatedEntities = {
    journalOwnedBy: async () => false,
    toolExists: async (tx, id) => (tools ? tools.exists(tx, id) : false),
  };
  const service = createEmotionsService({
    db,
    clock,
    catalog: currentCatalog,
    profiles: auth,
    related: () => related,
    onRecorded: (tx, event) => events.emit(tx, 'emotions.checkin-recorded', event),
    onAllDeleted: (tx, event) => events.emit(tx, 'emotions.checkins-deleted', event),
    audit: (...args) => auth.recordSecurityEvent(...args),
  });
  const analytics = createAnalyticsService({
    db,
    clock,
    catalog: currentCatalog,
    profiles: auth,
    tools: () => tools,
    texts: await loadAnalyticsTexts(),
  });
  const partitions = partitionJob({ db, clock });
  jobs.define(partitions);
  await jobs.schedule(partitions, '17 3 * * *', {});
  platform.deletion.register('emotions.checkins', async (tx, userId) => {
    await service.deleteAll(tx, userId);
  });
  platform.dataExport.register(emotionsExport(currentCatalog));

  return {
    name: 'emotions',
    prefixes: ['/v1/emotions'],
    service,
    analytics,
    catalog: currentCatalog,
    ensurePartitions: () => ensureCheckinPartitions({ db, clock }),
    bind(links) {
      if (links.tools) tools = links.tools;
      if (links.journalOwnedBy) related.journalOwnedBy = links.journalOwnedBy;
    },
    async start() {
      catalog = await loadEmotionCatalog(db);
      await ensureCheckinPartitions({ db, clock });
    },
    async routes(app) {
      await app.register(emotionsRoutes, {
        prefix: '/v1/emotions',
        service,
        analytics,
        catalog: currentCatalog,
      });
    },
  };
}
