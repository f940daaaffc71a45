// What other modules read of the tool library: whether a tool exists (a check-in's related
// tool), the active tools to recommend and their names (emotions' recommendations and
// insights, progress's statistics), and a user's favorites. Declared here, by the module
// that provides it; the emotions module receives it at construction.
import type { Database, Tx } from '../../platform/db/database.ts';
import type { ContentCache } from '../../platform/cache/content-cache.ts';
import * as repo from './repository.ts';
import { pickTranslation, type Language } from './service.ts';

export interface RecommendableTool {
  id: string;
  name: string;
  category: string;
  estimatedDurationSeconds: number;
  targetEmotionCodes: string[];
}

export interface ToolCatalogPort {
  /** Inside the caller's transaction: opening another would deadlock the embedded database. */
  exists(tx: Tx, toolId: string): Promise<boolean>;
  recommendable(language: Language): Promise<RecommendableTool[]>;
  favoritesOf(userId: string): Promise<Set<string>>;
  names(ids: string[], language: Language): Promise<Map<string, string>>;
}

export function createToolCatalogPort(deps: {
  db: Database;
  cache: ContentCache;
}): ToolCatalogPort {
  const { db, cache } = deps;
  const port: ToolCatalogPort = {
    async exists(tx, toolId) {
      return Boolean(await repo.findTool(tx, toolId, false));
    },
    async recommendable(language) {
      const { value } = await cache.get(`recommendable:${language}`, () =>
        db.asSystem(async (tx) =>
          (await repo.activeToolsForRecommendation(tx)).map((row) => ({
            id: row.id,
            name: pickTranslation(row.translations, language).translation.name,
            category: row.categoryCode,
            estimatedDurationSeconds: row.estimatedDurationSeconds,
            targetEmotionCodes: row.targetEmotions,
          })),
        ),
      );
      return value;
    },
    async favoritesOf(userId) {
      return new Set(await db.asUser(userId, (tx) => repo.favoriteToolIds(tx, userId)));
    },
    async names(ids, language) {
      const all = await port.recommendable(language);
      return new Map(all.filter((t) => ids.includes(t.id)).map((t) => [t.id, t.name]));
    },
  };
  return port;
}
