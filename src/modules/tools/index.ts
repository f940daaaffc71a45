// The tools module: the bilingual library, search, favorites, usage and content management.
//
// Dependencies, passed at construction: the caller's language (auth), the emotion catalog
// (tools target emotions by code; built before the modules, loaded when emotions starts)
// and the tool library (`createToolLibrary`: the content cache and the catalog port other
// modules read). The library is built before the emotions module, which receives its
// catalog port (recommendations, insights, a check-in's related tool); this module is
// built after emotions. See docs/architecture.md, module map.
import { Counter } from 'prom-client';
import type { Platform } from '../../platform/platform.ts';
import { createContentCache, type ContentCache } from '../../platform/cache/content-cache.ts';
import { dependencyFallbacks } from '../../platform/resilience.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import type { EmotionCatalog } from '../emotions/index.ts';
import { createToolsService, type ToolsService } from './service.ts';
import type { ToolUsedEvent } from './usage.ts';
import { createToolCatalogPort, type ToolCatalogPort } from './catalog-port.ts';
import { createToolsAdminService, type ToolsAdminService } from './admin/service.ts';
import { contentVersion, deleteUserToolData } from './repository.ts';
import { toolsRoutes } from './routes.ts';
import { toolsAdminRoutes } from './admin/routes.ts';
import { toolsExport } from './export.ts';

export { seedToolContent } from './seed.ts';
export { toolsComponents } from './schemas.ts';
export type { RecommendableTool, ToolCatalogPort } from './catalog-port.ts';
export type { ToolsService } from './service.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'tools.used': ToolUsedEvent;
  }
}

export interface ToolsModule extends AppModule {
  service: ToolsService;
  admin: ToolsAdminService;
  /** What other modules read of the library. */
  catalogPort: ToolCatalogPort;
}

/** The library as this process caches it, and what other modules read of it. */
export interface ToolLibrary {
  cache: ContentCache;
  catalogPort: ToolCatalogPort;
}

/** Built before the modules: the emotions module reads the library through `catalogPort`. */
export function createToolLibrary(platform: Platform): ToolLibrary {
  const { db, kv, log, metrics } = platform;
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
  return { cache, catalogPort: createToolCatalogPort({ db, cache }) };
}

export interface ToolsModuleDeps {
  /** The caller's language. */
  auth: AuthModule;
  /** The emotion catalog (loaded once the emotions module starts). */
  emotionCatalog: () => EmotionCatalog;
  library: ToolLibrary;
}

export function createToolsModule(platform: Platform, deps: ToolsModuleDeps): ToolsModule {
  const { db, clock, events } = platform;
  const { auth, emotionCatalog, library } = deps;
  const { cache } = library;
  const service = createToolsService({
    db,
    clock,
    cache,
    emotions: emotionCatalog,
    languageIn: async (tx, userId) => (await auth.profileIn(tx, userId)).language,
    onUsed: (tx, event) => events.emit(tx, 'tools.used', event),
  });
  const admin = createToolsAdminService({ db, clock, cache, emotions: emotionCatalog });
  platform.deletion.register('tools.favorites-and-usage', (tx, userId) =>
    deleteUserToolData(tx, userId),
  );
  platform.dataExport.register(toolsExport);

  return {
    name: 'tools',
    prefixes: ['/v1/tools', '/v1/admin/tools', '/v1/admin/tool-categories'],
    service,
    admin,
    catalogPort: library.catalogPort,
    async routes(app) {
      await app.register(toolsRoutes, { prefix: '/v1/tools', service });
      await app.register(toolsAdminRoutes, { prefix: '/v1/admin', service: admin });
    },
  };
}
