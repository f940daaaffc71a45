// The tools module: the bilingual library, search, favorites, usage and content management.
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import type { EmotionsModule } from '../emotions/index.ts';
import { createContentCache } from '../../platform/cache/content-cache.ts';
import { createToolsService, type ToolsService, type ToolUsedEvent } from './service.ts';
import { createToolsAdminService, type ToolsAdminService } from './admin.service.ts';
import { contentVersion, deleteUserToolData } from './repository.ts';
import { toolsRoutes } from './routes.ts';
import { toolsAdminRoutes } from './admin.routes.ts';
import { toolsExport } from './export.ts';
import { Counter } from 'prom-client';
import { dependencyFallbacks } from '../../platform/resilience.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'tools.used': ToolUsedEvent;
  }
}

export interface ToolsModule extends AppModule {
  service: ToolsService;
  admin: ToolsAdminService;
}

export function createToolsModule(
  platform: Platform,
  auth: AuthModule,
  emotions: EmotionsModule,
): ToolsModule {
  const { db, clock, kv, log, events, metrics } = platform;
  const lookups = new Counter({
    name: 'cache_lookups_total',
    help: 'Content cache lookups by cache and result',
    labelNames: ['cache', 'result'] as const,
    registers: [metrics],
  });
  const cache = createContentCache({
    name: 'tools',
    kv,
    log,
    ttlSeconds: 600,
    loadVersion: () => db.asSystem((tx) => contentVersion(tx)),
    onResult: (hit) => lookups.inc({ cache: 'tools', result: hit ? 'hit' : 'miss' }),
    onBypass: () => dependencyFallbacks(metrics).inc({ dependency: 'redis', use: 'cache' }),
  });
  const service = createToolsService({
    db,
    clock,
    cache,
    emotions: () => emotions.catalog(),
    languageOf: async (userId) =>
      (await db.asUser(userId, (tx) => auth.profileIn(tx, userId))).language,
    onUsed: (tx, event) => events.emit(tx, 'tools.used', event),
  });
  const admin = createToolsAdminService({ db, clock, cache, emotions: () => emotions.catalog() });
  platform.deletion.register('tools.favorites-and-usage', (tx, userId) =>
    deleteUserToolData(tx, userId),
  );
  platform.dataExport.register(toolsExport);
  emotions.bind({ tools: service.catalogPort });

  return {
    name: 'tools',
    prefixes: ['/v1/tools', '/v1/admin/tools', '/v1/admin/tool-categories'],
    service,
    admin,
    async routes(app) {
      await app.register(toolsRoutes, { prefix: '/v1/tools', service });
      await app.register(toolsAdminRoutes, { prefix: '/v1/admin', service: admin });
    },
  };
}
