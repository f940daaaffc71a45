// SQL of the tool library as users read it: categories, tools, search, favorites, usage,
// and what a data export and an account deletion need. Content writes (the admin API and
// the seed) are in admin/repository.ts. About 320 lines: every read here shares toolColumns.
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { afterKey } from '../../platform/db/keyset.ts';
import { queryRows, type Tx } from '../../platform/db/database.ts';
import {
  toolCategories,
  toolContentChanges,
  toolContentVersion,
  toolFavorites,
  tools,
  toolUsage,
  type Translations,
} from './tables.ts';
import type { ContentType, Difficulty } from './content-schemas.ts';
import type { CompletionStatus } from './values.ts';

export type CategoryRow = typeof toolCategories.$inferSelect;
export type ToolRow = Omit<typeof tools.$inferSelect, 'searchEs' | 'searchEn'> & {
  categoryCode: string;
};

/** A tool's columns with its category's code (what every tool read returns). */
export const toolColumns = {
  id: tools.id,
  code: tools.code,
  categoryId: tools.categoryId,
  categoryCode: toolCategories.code,
  contentType: tools.contentType,
  difficulty: tools.difficulty,
  estimatedDurationSeconds: tools.estimatedDurationSeconds,
  targetEmotions: tools.targetEmotions,
  isActive: tools.isActive,
  translations: tools.translations,
  seedHash: tools.seedHash,
  createdAt: tools.createdAt,
  updatedAt: tools.updatedAt,
};

export async function listCategories(tx: Tx): Promise<CategoryRow[]> {
  return tx
    .select()
    .from(toolCategories)
    .orderBy(asc(toolCategories.sortOrder), asc(toolCategories.id));
}

export async function findCategory(tx: Tx, id: number): Promise<CategoryRow | undefined> {
  const [row] = await tx.select().from(toolCategories).where(eq(toolCategories.id, id));
  return row;
}

export async function findTool(
  tx: Tx,
  id: string,
  onlyActive: boolean,
): Promise<ToolRow | undefined> {
  const [row] = await tx
    .select(toolColumns)
    .from(tools)
    .innerJoin(toolCategories, eq(toolCategories.id, tools.categoryId))
    .where(and(eq(tools.id, id), onlyActive ? eq(tools.isActive, true) : undefined));
  return row;
}

/** Tools of a category (or all), ordered by code, keyset-paginated on code. */
export async function listTools(
  tx: Tx,
  options: {
    categoryId?: number | undefined;
    onlyActive: boolean;
    afterCode?: string | undefined;
    limit: number;
  },
): Promise<ToolRow[]> {
  return tx
    .select(toolColumns)
    .from(tools)
    .innerJoin(toolCategories, eq(toolCategories.id, tools.categoryId))
    .where(
      and(
        options.categoryId !== undefined ? eq(tools.categoryId, options.categoryId) : undefined,
        options.onlyActive ? eq(tools.isActive, true) : undefined,
        options.afterCode ? sql`${tools.code} > ${options.afterCode}` : undefined,
      ),
    )
    .orderBy(asc(tools.code))
    .limit(options.limit + 1);
}

export interface SearchOptions {
  query?: string | undefined;
  categoryId?: number | undefined;
  contentType?: ContentType | undefined;
  maxDurationSeconds?: number | undefined;
  emotionCode?: string | undefined;
  offset: number;
  limit: number;
}

/** Full-text search over both languages, ranked; without a query, a filtered listing. */
export async function searchTools(
  tx: Tx,
  options: SearchOptions,
): Promise<(ToolRow & { rank: number })[]> {
  const filters: SQL[] = [sql`t.is_active`];
  if (options.categoryId !== undefined) filters.push(sql`t.category_id = ${options.categoryId}`);
  if (options.contentType) filters.push(sql`t.content_type = ${options.contentType}`);
  if (options.maxDurationSeconds !== undefined)
    filters.push(sql`t.estimated_duration_seconds <= ${options.maxDurationSeconds}`);
  if (options.emotionCode)
    filters.push(sql`t.target_emotions @> array[${options.emotionCode}]::text[]`);
  const q = options.query?.trim();
  const rank = q
    ? sql`ts_rank_cd(t.search_es, websearch_to_tsquery('amira_es', ${q})) + ts_rank_cd(t.search_en, websearch_to_tsquery('amira_en', ${q}))`
    : sql`0`;
  if (q) {
    filters.push(
      sql`(t.search_es @@ websearch_to_tsquery('amira_es', ${q}) or t.search_en @@ websearch_to_tsquery('amira_en', ${q}))`,
    );
  }
  const rows = await queryRows<{
    id: string;
    code: string;
    category_id: number;
    category_code: string;
    content_type: ContentType;
    difficulty: Difficulty;
    estimated_duration_seconds: number;
    target_emotions: string[];
    is_active: boolean;
    translations: Translations;
    rank: number;
  }>(
    tx,
    sql`select t.id, t.code, t.category_id, c.code as category_code, t.content_type, t.difficulty,
               t.estimated_duration_seconds, t.target_emotions, t.is_active, t.translations, (${rank})::float8 as rank
        from tools t join tool_categories c on c.id = t.category_id
        where ${sql.join(filters, sql` and `)}
        order by rank desc, c.sort_order, t.code
        limit ${options.limit + 1} offset ${options.offset}`,
  );
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    categoryId: r.category_id,
    categoryCode: r.category_code,
    contentType: r.content_type,
    difficulty: r.difficulty,
    estimatedDurationSeconds: r.estimated_duration_seconds,
    targetEmotions: r.target_emotions,
    isActive: r.is_active,
    translations: r.translations,
    seedHash: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    rank: r.rank,
  }));
}

export async function activeToolsForRecommendation(tx: Tx): Promise<ToolRow[]> {
  return tx
    .select(toolColumns)
    .from(tools)
    .innerJoin(toolCategories, eq(toolCategories.id, tools.categoryId))
    .where(eq(tools.isActive, true));
}

// Favorites

export async function addFavorite(tx: Tx, userId: string, toolId: string, now: Date) {
  await tx.insert(toolFavorites).values({ userId, toolId, createdAt: now }).onConflictDoNothing();
  const [row] = await tx
    .select({ createdAt: toolFavorites.createdAt })
    .from(toolFavorites)
    .where(and(eq(toolFavorites.userId, userId), eq(toolFavorites.toolId, toolId)));
  return row?.createdAt ?? now;
}

export async function removeFavorite(tx: Tx, userId: string, toolId: string): Promise<void> {
  await tx
    .delete(toolFavorites)
    .where(and(eq(toolFavorites.userId, userId), eq(toolFavorites.toolId, toolId)));
}

export async function isFavorite(tx: Tx, userId: string, toolId: string): Promise<boolean> {
  const [row] = await tx
    .select({ toolId: toolFavorites.toolId })
    .from(toolFavorites)
    .where(and(eq(toolFavorites.userId, userId), eq(toolFavorites.toolId, toolId)));
  return row !== undefined;
}

export async function favoriteToolIds(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx
    .select({ toolId: toolFavorites.toolId })
    .from(toolFavorites)
    .where(eq(toolFavorites.userId, userId));
  return rows.map((r) => r.toolId);
}

export async function listFavorites(
  tx: Tx,
  userId: string,
  limit: number,
  after?: { createdAt: Date; toolId: string },
) {
  return tx
    .select({ ...toolColumns, favoritedAt: toolFavorites.createdAt })
    .from(toolFavorites)
    .innerJoin(tools, eq(tools.id, toolFavorites.toolId))
    .innerJoin(toolCategories, eq(toolCategories.id, tools.categoryId))
    .where(
      and(
        eq(toolFavorites.userId, userId),
        eq(tools.isActive, true),
        afterKey(
          toolFavorites.createdAt,
          toolFavorites.toolId,
          after && { at: after.createdAt, id: after.toolId },
          'desc',
        ),
      ),
    )
    .orderBy(desc(toolFavorites.createdAt), desc(toolFavorites.toolId))
    .limit(limit + 1);
}

// Usage

export type UsageRow = typeof toolUsage.$inferSelect;

export async function insertUsage(
  tx: Tx,
  row: {
    id: string;
    userId: string;
    toolId: string;
    startedAt: Date;
    completedAt: Date | null;
    durationSeconds: number;
    completionStatus: CompletionStatus;
    createdAt: Date;
  },
): Promise<UsageRow> {
  const [inserted] = await tx.insert(toolUsage).values(row).returning();
  if (!inserted) throw new Error('usage insert returned no row');
  return inserted;
}

export async function listUsage(
  tx: Tx,
  userId: string,
  limit: number,
  after?: { startedAt: Date; id: string },
) {
  return tx
    .select()
    .from(toolUsage)
    .where(
      and(
        eq(toolUsage.userId, userId),
        afterKey(
          toolUsage.startedAt,
          toolUsage.id,
          after && { at: after.startedAt, id: after.id },
          'desc',
        ),
      ),
    )
    .orderBy(desc(toolUsage.startedAt), desc(toolUsage.id))
    .limit(limit + 1);
}

/** The tool's code and names: what a data export shows beside each favorite and use. */
const toolNaming = {
  toolId: tools.id,
  toolCode: tools.code,
  translations: tools.translations,
};

/** Every favorite of the user, retired tools included, oldest first (data export). */
export async function allFavoritesOf(tx: Tx, userId: string) {
  return tx
    .select({ ...toolNaming, favoritedAt: toolFavorites.createdAt })
    .from(toolFavorites)
    .innerJoin(tools, eq(tools.id, toolFavorites.toolId))
    .where(eq(toolFavorites.userId, userId))
    .orderBy(asc(toolFavorites.createdAt), asc(toolFavorites.toolId));
}

/** Every recorded use of a tool by the user, oldest first (data export). */
export async function allUsageOf(tx: Tx, userId: string) {
  return tx
    .select({ ...toolNaming, usage: toolUsage })
    .from(toolUsage)
    .innerJoin(tools, eq(tools.id, toolUsage.toolId))
    .where(eq(toolUsage.userId, userId))
    .orderBy(asc(toolUsage.startedAt), asc(toolUsage.id));
}

export async function deleteUserToolData(tx: Tx, userId: string): Promise<void> {
  await tx.delete(toolUsage).where(eq(toolUsage.userId, userId));
  await tx.delete(toolFavorites).where(eq(toolFavorites.userId, userId));
  // A content manager's edits stay in the content audit, without who made them.
  await tx
    .update(toolContentChanges)
    .set({ actorId: null })
    .where(eq(toolContentChanges.actorId, userId));
}

/** The content version caches compare with (bumped by every content change: admin/repository.ts). */
export async function contentVersion(tx: Tx): Promise<number> {
  const [row] = await tx
    .select({ version: toolContentVersion.version })
    .from(toolContentVersion)
    .where(eq(toolContentVersion.id, 1));
  return row?.version ?? 1;
}
