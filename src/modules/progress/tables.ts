// Tables owned by the progress module: the UserActivity, ActivityType, AchievementType and
// UserAchievement of the spec. Streaks are computed from activities (see streaks.ts).
import { sql } from 'drizzle-orm';
import {
  date,
  index,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ActivityKind } from './values.ts';
import { ownerId } from '../../platform/db/owner.ts';

export const activityTypes = pgTable('activity_types', {
  id: smallint('id').primaryKey(),
  code: text('code').$type<ActivityKind>().notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull(),
});

/** What an activity carries for statistics and achievements (no private content). */
export interface ActivityMetadata {
  emotion_type_id?: number;
  duration_seconds?: number;
  tool_id?: string;
  tool_category?: string;
  completion_status?: string;
}

export const userActivities = pgTable(
  'user_activities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    activityTypeId: smallint('activity_type_id')
      .notNull()
      .references(() => activityTypes.id),
    /** The check-in, journal or tool session this activity is: recording it twice is impossible. */
    relatedEntityId: uuid('related_entity_id').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    /** The user's calendar day then, in their time zone then: days never move afterwards. */
    localDate: date('local_date', { mode: 'string' }).notNull(),
    /** The user's IANA time zone then: tells a flight across zones from a missed day. */
    timeZone: text('time_zone').notNull(),
    metadata: jsonb('metadata').$type<ActivityMetadata>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('user_activities_entity_key').on(t.activityTypeId, t.relatedEntityId),
    index('user_activities_user_day_idx').on(t.userId, t.localDate, t.activityTypeId),
  ],
);

export const achievementTypes = pgTable(
  'achievement_types',
  {
    id: smallint('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull(),
    icon: text('icon').notNull(),
    sortOrder: smallint('sort_order').notNull(),
    criteria: jsonb('criteria').$type<Record<string, unknown>>().notNull(),
    nameEs: text('name_es').notNull(),
    nameEn: text('name_en').notNull(),
    descriptionEs: text('description_es').notNull(),
    descriptionEn: text('description_en').notNull(),
  },
  (t) => [uniqueIndex('achievement_types_code_key').on(t.code)],
);

export const userAchievements = pgTable(
  'user_achievements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    achievementTypeId: smallint('achievement_type_id')
      .notNull()
      .references(() => achievementTypes.id),
    earnedAt: timestamp('earned_at', { withTimezone: true }).notNull(),
    metadata: jsonb('metadata')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [uniqueIndex('user_achievements_user_type_key').on(t.userId, t.achievementTypeId)],
);
