// Tables owned by the tools module. Tool content lives in jsonb (one object per language);
// full-text search vectors are generated columns over it, with accent-insensitive Spanish
// and English configurations (migrations/*_tools_search.sql).
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ownerId } from '../../platform/db/owner.ts';
import type { ContentType, Difficulty, TranslationInput } from './content-schemas.ts';
import type { CompletionStatus } from './values.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const toolCategories = pgTable(
  'tool_categories',
  {
    id: smallint('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull(),
    icon: text('icon').notNull(),
    sortOrder: smallint('sort_order').notNull(),
    nameEs: text('name_es').notNull(),
    nameEn: text('name_en').notNull(),
    descriptionEs: text('description_es').notNull(),
    descriptionEn: text('description_en').notNull(),
    /** Hash of the seed entry last applied: the seed rewrites a row only when its file changed. */
    seedHash: text('seed_hash'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tool_categories_code_key').on(t.code)],
);

export type Translations = { es?: TranslationInput; en?: TranslationInput };

export const tools = pgTable(
  'tools',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    categoryId: smallint('category_id')
      .notNull()
      .references(() => toolCategories.id),
    contentType: text('content_type').$type<ContentType>().notNull(),
    difficulty: text('difficulty').$type<Difficulty>().notNull(),
    estimatedDurationSeconds: integer('estimated_duration_seconds').notNull(),
    targetEmotions: text('target_emotions')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    isActive: boolean('is_active').notNull().default(true),
    translations: jsonb('translations').$type<Translations>().notNull(),
    /** Hash of the seed file last applied: the seed rewrites the row only when the file changed. */
    seedHash: text('seed_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    searchEs: tsvector('search_es').generatedAlwaysAs(
      sql`setweight(to_tsvector('amira_es', coalesce(translations->'es'->>'name', '')), 'A') ||
          setweight(to_tsvector('amira_es', coalesce(translations->'es'->>'description', '')), 'B') ||
          setweight(jsonb_to_tsvector('amira_es', coalesce(translations->'es'->'content', '{}'::jsonb), '["string"]'), 'C')`,
    ),
    searchEn: tsvector('search_en').generatedAlwaysAs(
      sql`setweight(to_tsvector('amira_en', coalesce(translations->'en'->>'name', '')), 'A') ||
          setweight(to_tsvector('amira_en', coalesce(translations->'en'->>'description', '')), 'B') ||
          setweight(jsonb_to_tsvector('amira_en', coalesce(translations->'en'->'content', '{}'::jsonb), '["string"]'), 'C')`,
    ),
  },
  (t) => [
    uniqueIndex('tools_code_key').on(t.code),
    index('tools_category_idx').on(t.categoryId, t.isActive),
    index('tools_search_es_idx').using('gin', t.searchEs),
    index('tools_search_en_idx').using('gin', t.searchEn),
    index('tools_target_emotions_idx').using('gin', t.targetEmotions),
    check(
      'tools_content_type_check',
      sql`${t.contentType} in ('text', 'guided_steps', 'breathing_pattern', 'prompts', 'audio')`,
    ),
    check(
      'tools_difficulty_check',
      sql`${t.difficulty} in ('beginner', 'intermediate', 'advanced')`,
    ),
  ],
);

export const toolFavorites = pgTable(
  'tool_favorites',
  {
    userId: ownerId(),
    toolId: uuid('tool_id')
      .notNull()
      .references(() => tools.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.toolId] }),
    index('tool_favorites_user_idx').on(t.userId, t.createdAt),
  ],
);

export const toolUsage = pgTable(
  'tool_usage',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    toolId: uuid('tool_id')
      .notNull()
      .references(() => tools.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    durationSeconds: integer('duration_seconds').notNull(),
    completionStatus: text('completion_status').$type<CompletionStatus>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('tool_usage_user_idx').on(t.userId, t.startedAt),
    check(
      'tool_usage_status_check',
      sql`${t.completionStatus} in ('completed', 'partial', 'abandoned')`,
    ),
    check('tool_usage_duration_check', sql`${t.durationSeconds} between 0 and 86400`),
  ],
);

/** Who changed which content, and how (content management audit). */
export const toolContentChanges = pgTable(
  'tool_content_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('tool_content_changes_entity_idx').on(t.entity, t.entityId, t.createdAt)],
);

/** One row: bumped by every content change, so caches on every replica know to refresh. */
export const toolContentVersion = pgTable('tool_content_version', {
  id: smallint('id').primaryKey().default(1),
  version: integer('version').notNull().default(1),
});
