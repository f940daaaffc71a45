// Tables owned by the emotions module.
//
// `checkins` is in partitioned/tables.ts: it is partitioned, which drizzle-kit cannot
// express, so it sits outside drizzle-kit's `src/modules/*/tables.ts` glob.
import { sql } from 'drizzle-orm';
import { check, numeric, pgTable, smallint, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { EmotionCategory } from './values.ts';

export const emotionTypes = pgTable(
  'emotion_types',
  {
    id: smallint('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull(),
    category: text('category').$type<EmotionCategory>().notNull(),
    valence: numeric('valence', { precision: 3, scale: 2, mode: 'number' }).notNull(),
    arousal: numeric('arousal', { precision: 3, scale: 2, mode: 'number' }).notNull(),
    color: text('color').notNull(),
    nameEs: text('name_es').notNull(),
    nameEn: text('name_en').notNull(),
    descriptionEs: text('description_es').notNull(),
    descriptionEn: text('description_en').notNull(),
    sortOrder: smallint('sort_order').notNull(),
  },
  (t) => [
    uniqueIndex('emotion_types_code_key').on(t.code),
    check(
      'emotion_types_category_check',
      sql`${t.category} in ('positive', 'neutral', 'negative')`,
    ),
    check('emotion_types_valence_check', sql`${t.valence} between -1 and 1`),
    check('emotion_types_arousal_check', sql`${t.arousal} between 0 and 1`),
  ],
);
