// The tool library as users see it: catalog (cached, per language), search and favorites;
// uses of tools are recorded in usage.ts. Content management is in admin/service.ts; what
// other modules read of the library is catalog-port.ts.
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { ContentCache } from '../../platform/cache/content-cache.ts';
import { notFound, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { EmotionCatalog } from '../emotions/index.ts';
import * as repo from './repository.ts';
import type { CategoryRow, ToolRow } from './repository.ts';
import type { CategoryDto, SearchInput, ToolDetailDto, ToolSummaryDto } from './schemas.ts';
import type { Translations } from './tables.ts';
import { createToolUsage, type ToolUsedEvent } from './usage.ts';

export type Language = 'es' | 'en';

export interface ToolsServiceDeps {
  db: Database;
  clock: Clock;
  cache: ContentCache;
  emotions: () => EmotionCatalog;
  /** The user's language, read in the caller's transaction. */
  languageIn: (tx: Tx, userId: string) => Promise<Language>;
  onUsed: (tx: Tx, event: ToolUsedEvent) => Promise<void>;
}

/** The translation to show: the requested language, or the other one when it is missing. */
export function pickTranslation(translations: Translations, language: Language) {
  const other: Language = language === 'es' ? 'en' : 'es';
  const chosen = translations[language] ? language : other;
  const translation = translations[chosen] ?? translations[language];
  if (!translation) throw new Error('tool without any translation');
  return { language: chosen, translation };
}

export function toCategoryDto(row: CategoryRow, language: Language): CategoryDto {
  return {
    id: row.id,
    code: row.code,
    icon: row.icon,
    name: language === 'es' ? row.nameEs : row.nameEn,
    description: language === 'es' ? row.descriptionEs : row.descriptionEn,
    language,
  };
}

export function createToolsService(deps: ToolsServiceDeps) {
  const { db, clock, cache } = deps;

  const emotionIds = (codes: string[]) =>
    codes
      .map((code) => deps.emotions().byCode(code)?.id)
      .filter((id): id is number => id !== undefined);

  function toSummary(row: ToolRow, language: Language): ToolSummaryDto {
    const picked = pickTranslation(row.translations, language);
    return {
      id: row.id,
      code: row.code,
      category_id: row.categoryId,
      category_code: row.categoryCode,
      content_type: row.contentType,
      difficulty: row.difficulty,
      estimated_duration_seconds: row.estimatedDurationSeconds,
      target_emotion_ids: emotionIds(row.targetEmotions),
      name: picked.translation.name,
      description: picked.translation.description,
      language: picked.language,
    };
  }

  const resolveLanguage = async (caller: AuthContext, requested: Language | undefined) =>
    requested ?? (await db.asUser(caller.userId, (tx) => deps.languageIn(tx, caller.userId)));

  const cached = <T>(key: string, load: (tx: Tx) => Promise<T>) =>
    cache.get(key, () => db.asSystem(load));

  async function listCategories(caller: AuthContext, requested?: Language) {
    const language = await resolveLanguage(caller, requested);
    const { value, version } = await cached(`categories:${language}`, async (tx) =>
      (await repo.listCategories(tx)).map((row) => toCategoryDto(row, language)),
    );
    return { body: { items: value }, etag: `"tools-v${version}-categories-${language}"` };
  }

  async function categoryTools(
    caller: AuthContext,
    categoryId: number,
    query: { lang?: Language | undefined; limit?: number | undefined; cursor?: string | undefined },
  ) {
    const language = await resolveLanguage(caller, query.lang);
    const limit = query.limit ?? 20;
    const after = decodeCursor(query.cursor, ['text'])?.[0] as string | undefined;
    const { value, version } = await cached(
      `category:${categoryId}:${language}:${limit}:${after ?? ''}`,
      async (tx) => {
        const category = await repo.findCategory(tx, categoryId);
        if (!category) return null;
        const rows = await repo.listTools(tx, {
          categoryId,
          onlyActive: true,
          afterCode: after,
          limit,
        });
        return {
          category: toCategoryDto(category, language),
          ...pageOf(
            rows,
            limit,
            (r) => toSummary(r, language),
            (r) => [r.code],
          ),
        };
      },
    );
    if (!value) throw notFound('category');
    return {
      body: value,
      etag: `"tools-v${version}-category-${categoryId}-${language}-${limit}-${after ?? ''}"`,
    };
  }

  async function getTool(caller: AuthContext, id: string, requested?: Language) {
    // The caller's language and favourite in one transaction (the hot read of the library).
    const { language, favorite } = await db.asUser(caller.userId, async (tx) => ({
      language: requested ?? (await deps.languageIn(tx, caller.userId)),
      favorite: await repo.isFavorite(tx, caller.userId, id),
    }));
    const { value, version } = await cached(`tool:${id}:${language}`, async (tx) => {
      const row = await repo.findTool(tx, id, true);
      if (!row) return null;
      return {
        ...toSummary(row, language),
        content: pickTranslation(row.translations, language).translation.content,
      };
    });
    if (!value) throw notFound('tool');
    const body: ToolDetailDto = { ...value, is_favorite: favorite };
    return { body, etag: `"tools-v${version}-tool-${id}-${language}-${favorite ? 'f' : 'n'}"` };
  }

  async function search(caller: AuthContext, input: SearchInput) {
    const language = await resolveLanguage(caller, input.lang);
    const limit = input.limit ?? 20;
    const offset = Number(decodeCursor(input.cursor, ['integer'])?.[0] ?? 0);
    let emotionCode: string | undefined;
    if (input.emotion !== undefined) {
      const catalog = deps.emotions();
      const emotion = /^\d+$/.test(input.emotion)
        ? catalog.byId(Number(input.emotion))
        : catalog.byCode(input.emotion);
      if (!emotion) {
        throw unprocessable('unknown-emotion-type', `There is no emotion ${input.emotion}`, [
          { pointer: '#/query/emotion', message: 'unknown emotion' },
        ]);
      }
      emotionCode = emotion.code;
    }
    const rows = await db.asSystem((tx) =>
      repo.searchTools(tx, {
        query: input.q,
        categoryId: input.category_id,
        contentType: input.content_type,
        maxDurationSeconds: input.max_duration,
        emotionCode,
        offset,
        limit,
      }),
    );
    const hasMore = rows.length > limit;
    return {
      items: rows.slice(0, limit).map((row) => toSummary(row, language)),
      next_cursor: hasMore ? encodeCursor([offset + limit]) : null,
    };
  }

  async function setFavorite(caller: AuthContext, toolId: string, favorite: boolean) {
    const now = clock.now();
    return db.asUser(caller.userId, async (tx) => {
      if (!(await repo.findTool(tx, toolId, true))) throw notFound('tool');
      if (!favorite) {
        await repo.removeFavorite(tx, caller.userId, toolId);
        return { tool_id: toolId, is_favorite: false, favorited_at: null };
      }
      const at = await repo.addFavorite(tx, caller.userId, toolId, now);
      return { tool_id: toolId, is_favorite: true, favorited_at: at.toISOString() };
    });
  }

  async function listFavorites(
    caller: AuthContext,
    query: { lang?: Language | undefined; limit?: number | undefined; cursor?: string | undefined },
  ) {
    const language = await resolveLanguage(caller, query.lang);
    const limit = query.limit ?? 20;
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']) as [string, string] | undefined;
    const rows = await db.asUser(caller.userId, (tx) =>
      repo.listFavorites(
        tx,
        caller.userId,
        limit,
        after ? { createdAt: new Date(after[0]), toolId: after[1] } : undefined,
      ),
    );
    return pageOf(
      rows,
      limit,
      (row) => toSummary(row, language),
      (row) => [row.favoritedAt.toISOString(), row.id],
    );
  }

  return {
    listCategories,
    categoryTools,
    getTool,
    search,
    setFavorite,
    listFavorites,
    ...createToolUsage(deps),
  };
}

export type ToolsService = ReturnType<typeof createToolsService>;
