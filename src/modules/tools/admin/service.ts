// Content management of the tool library (content_manager and admin): the same validation
// as the seed files, every change audited with who made it, and caches on every replica
// refreshed through the content version.
import type { Database, Tx } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { ContentCache } from '../../../platform/cache/content-cache.ts';
import { conflict, notFound, unprocessable } from '../../../platform/errors.ts';
import { isUniqueViolation } from '../../../platform/db/errors.ts';
import { decodeCursor, pageOf } from '../../../platform/http/pagination.ts';
import type { EmotionCatalog } from '../../emotions/index.ts';
import type { CategoryDefinition, ToolDefinition } from '../content-schemas.ts';
import { contentErrors, referenceErrors } from '../validation.ts';
import * as repo from '../repository.ts';
import type { CategoryRow, ToolRow } from '../repository.ts';
import * as content from './repository.ts';
import type { AdminCategoryDto, AdminToolDto } from '../schemas.ts';

export function toAdminTool(row: ToolRow): AdminToolDto {
  return {
    id: row.id,
    code: row.code,
    category: row.categoryCode,
    content_type: row.contentType,
    difficulty: row.difficulty,
    estimated_duration_seconds: row.estimatedDurationSeconds,
    target_emotions: row.targetEmotions,
    is_active: row.isActive,
    translations: row.translations,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function toAdminCategory(row: CategoryRow): AdminCategoryDto {
  return {
    id: row.id,
    code: row.code,
    icon: row.icon,
    sort_order: row.sortOrder,
    name: { es: row.nameEs, en: row.nameEn },
    description: { es: row.descriptionEs, en: row.descriptionEn },
  };
}

export function createToolsAdminService(deps: {
  db: Database;
  clock: Clock;
  cache: ContentCache;
  emotions: () => EmotionCatalog;
}) {
  const { db, clock, cache } = deps;

  /** Runs a content change, audits it, bumps the content version, then tells the replicas. */
  async function change<T>(
    actor: AuthContext,
    work: (
      tx: Tx,
      audit: (entry: {
        action: string;
        entity: 'tool' | 'category';
        entityId: string;
        details?: Record<string, unknown>;
      }) => Promise<void>,
    ) => Promise<T>,
  ): Promise<T> {
    const now = clock.now();
    const { result, version } = await db.asSystem(async (tx) => {
      const result = await work(tx, (entry) =>
        content.recordContentChange(tx, { actorId: actor.userId, createdAt: now, ...entry }),
      );
      return { result, version: await content.bumpContentVersion(tx) };
    });
    await cache.publish(version);
    return result;
  }

  async function checkTool(tx: Tx, definition: ToolDefinition): Promise<number> {
    const categories = await repo.listCategories(tx);
    const known = {
      categories: new Set(categories.map((c) => c.code)),
      emotions: new Set(
        deps
          .emotions()
          .all()
          .map((e) => e.code),
      ),
    };
    const errors = [
      ...contentErrors(definition, '#/body'),
      ...referenceErrors(definition, '#/body', known),
    ];
    if (errors.length)
      throw unprocessable('invalid-tool-content', 'The tool content is not valid', errors);
    return categories.find((c) => c.code === definition.category)?.id ?? 0;
  }

  const toolValues = (definition: ToolDefinition, categoryId: number, now: Date) => ({
    code: definition.code,
    categoryId,
    contentType: definition.content_type,
    difficulty: definition.difficulty,
    estimatedDurationSeconds: definition.estimated_duration_seconds,
    targetEmotions: definition.target_emotions,
    isActive: definition.is_active,
    translations: definition.translations,
    updatedAt: now,
  });

  const uniqueCode = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict('code-taken', 'Another entry already uses this code');
      throw error;
    }
  };

  return {
    async listTools(
      _actor: AuthContext,
      query: { limit?: number | undefined; cursor?: string | undefined },
    ) {
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['text'])?.[0] as string | undefined;
      const rows = await db.asSystem((tx) =>
        repo.listTools(tx, { onlyActive: false, afterCode: after, limit }),
      );
      return pageOf(rows, limit, toAdminTool, (r) => [r.code]);
    },

    async createTool(actor: AuthContext, definition: ToolDefinition): Promise<AdminToolDto> {
      const now = clock.now();
      return uniqueCode(() =>
        change(actor, async (tx, audit) => {
          const categoryId = await checkTool(tx, definition);
          const id = await content.insertTool(tx, {
            ...toolValues(definition, categoryId, now),
            createdAt: now,
          });
          await audit({
            action: 'create',
            entity: 'tool',
            entityId: id,
            details: { code: definition.code },
          });
          const row = await repo.findTool(tx, id, false);
          if (!row) throw notFound('tool');
          return toAdminTool(row);
        }),
      );
    },

    async replaceTool(
      actor: AuthContext,
      id: string,
      definition: ToolDefinition,
    ): Promise<AdminToolDto> {
      const now = clock.now();
      return uniqueCode(() =>
        change(actor, async (tx, audit) => {
          const before = await repo.findTool(tx, id, false);
          if (!before) throw notFound('tool');
          const categoryId = await checkTool(tx, definition);
          await content.updateTool(tx, id, toolValues(definition, categoryId, now));
          await audit({
            action: before.isActive && !definition.is_active ? 'deactivate' : 'update',
            entity: 'tool',
            entityId: id,
            details: {
              code: definition.code,
              was_active: before.isActive,
              is_active: definition.is_active,
            },
          });
          const row = await repo.findTool(tx, id, false);
          if (!row) throw notFound('tool');
          return toAdminTool(row);
        }),
      );
    },

    /** Withdraws a tool: hidden from users; usage history and favorites stay. */
    async deactivateTool(actor: AuthContext, id: string): Promise<AdminToolDto> {
      return change(actor, async (tx, audit) => {
        if (!(await content.updateTool(tx, id, { isActive: false, updatedAt: clock.now() })))
          throw notFound('tool');
        await audit({ action: 'deactivate', entity: 'tool', entityId: id });
        const row = await repo.findTool(tx, id, false);
        if (!row) throw notFound('tool');
        return toAdminTool(row);
      });
    },

    async listCategories(_actor: AuthContext) {
      return (await db.asSystem((tx) => repo.listCategories(tx))).map(toAdminCategory);
    },

    async createCategory(
      actor: AuthContext,
      definition: CategoryDefinition,
    ): Promise<AdminCategoryDto> {
      return uniqueCode(() =>
        change(actor, async (tx, audit) => {
          const row = await content.insertCategory(tx, categoryValues(definition, clock.now()));
          await audit({
            action: 'create',
            entity: 'category',
            entityId: String(row.id),
            details: { code: row.code },
          });
          return toAdminCategory(row);
        }),
      );
    },

    async replaceCategory(
      actor: AuthContext,
      id: number,
      definition: CategoryDefinition,
    ): Promise<AdminCategoryDto> {
      return uniqueCode(() =>
        change(actor, async (tx, audit) => {
          const row = await content.updateCategory(tx, id, categoryValues(definition, clock.now()));
          if (!row) throw notFound('category');
          await audit({
            action: 'update',
            entity: 'category',
            entityId: String(id),
            details: { code: row.code },
          });
          return toAdminCategory(row);
        }),
      );
    },

    async deleteCategory(actor: AuthContext, id: number): Promise<void> {
      await change(actor, async (tx, audit) => {
        if (!(await repo.findCategory(tx, id))) throw notFound('category');
        const tools = await content.countToolsInCategory(tx, id);
        if (tools > 0)
          throw conflict(
            'category-not-empty',
            `The category still holds ${tools} tools; move or withdraw them first`,
          );
        await content.deleteCategory(tx, id);
        await audit({ action: 'delete', entity: 'category', entityId: String(id) });
      });
    },
  };
}

const categoryValues = (definition: CategoryDefinition, now: Date) => ({
  code: definition.code,
  icon: definition.icon,
  sortOrder: definition.sort_order,
  nameEs: definition.name.es,
  nameEn: definition.name.en,
  descriptionEs: definition.description.es,
  descriptionEn: definition.description.en,
  updatedAt: now,
});

export type ToolsAdminService = ReturnType<typeof createToolsAdminService>;
