// Tables of the notifications module: preferences, the in-app inbox, and the delivery
// ledger that makes every scheduled notification happen once per user, kind and key.
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  time,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { ownerId } from '../../platform/db/owner.ts';
import type { DeliveryStatus, NotificationKind, Weekday } from './values.ts';

/** One row per user who changed anything; the others get the defaults (preferences.ts). */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: ownerId().primaryKey(),
  remindersEnabled: boolean('reminders_enabled').notNull(),
  reminderTime: time('reminder_time').notNull(),
  reminderDays: text('reminder_days').array().$type<Weekday[]>().notNull(),
  affirmationsEnabled: boolean('affirmations_enabled').notNull(),
  affirmationTime: time('affirmation_time').notNull(),
  achievementNotifications: boolean('achievement_notifications').notNull(),
  quietStart: time('quiet_start'),
  quietEnd: time('quiet_end'),
  pushEnabled: boolean('push_enabled').notNull(),
  inAppEnabled: boolean('in_app_enabled').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    kind: text('kind').$type<NotificationKind>().notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** Ids the app needs to open the right screen (never content). */
    data: jsonb('data').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
    pushedAt: timestamp('pushed_at', { withTimezone: true }),
  },
  (t) => [
    index('notifications_user_time_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('notifications_user_unread_idx')
      .on(t.userId, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.readAt} is null`),
  ],
);

/**
 * What was delivered (or deliberately skipped): the idempotency key of every scheduled or
 * event-driven notification. Deleting the inbox item leaves this, so nothing is re-sent.
 * `key` is the local date for reminders and affirmations, the achievement code for those.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    userId: ownerId(),
    kind: text('kind').$type<NotificationKind>().notNull(),
    key: text('key').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    /** Why it was skipped (already active today, turned off), for support and tests. */
    reason: text('reason'),
    notificationId: uuid('notification_id'),
    affirmationCode: text('affirmation_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** While 'pending': the worker pushing it holds it until then; after, another may resume. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.kind, t.key] }),
    index('notification_deliveries_affirmations_idx')
      .on(t.userId, t.createdAt)
      .where(sql`${t.kind} = 'affirmation'`),
  ],
);
