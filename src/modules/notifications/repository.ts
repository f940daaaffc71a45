// SQL of the notifications module.
import { and, asc, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import { afterKey } from '../../platform/db/keyset.ts';
import { queryRows, type Tx } from '../../platform/db/database.ts';
import { activeAccountLocales } from '../auth/index.ts';
import { notificationDeliveries, notificationPreferences, notifications } from './tables.ts';
import { WEEKDAYS, type DeliveryStatus, type NotificationKind } from './values.ts';
import type { PreferencesRow } from './preferences.ts';
import type { PreferencesDto } from './schemas.ts';

export type NotificationRow = typeof notifications.$inferSelect;

export async function findPreferences(tx: Tx, userId: string) {
  const [row] = await tx
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId));
  return row;
}

export async function savePreferences(tx: Tx, row: PreferencesRow) {
  const { userId: _userId, ...changes } = row;
  await tx
    .insert(notificationPreferences)
    .values(row)
    .onConflictDoUpdate({ target: notificationPreferences.userId, set: changes });
}

// Inbox

export async function insertNotification(
  tx: Tx,
  row: {
    userId: string;
    kind: NotificationKind;
    title: string;
    body: string;
    data: Record<string, string>;
    createdAt: Date;
  },
): Promise<NotificationRow> {
  const [inserted] = await tx.insert(notifications).values(row).returning();
  if (!inserted) throw new Error('notification insert returned no row');
  return inserted;
}

export async function listInbox(
  tx: Tx,
  userId: string,
  order: 'recent' | 'unread_first',
  limit: number,
  after?: { unread: number; createdAt: Date; id: string },
): Promise<NotificationRow[]> {
  const unread = sql<number>`(case when ${notifications.readAt} is null then 1 else 0 end)`;
  const conditions = [eq(notifications.userId, userId)];
  if (after) {
    const sameGroup = afterKey(
      notifications.createdAt,
      notifications.id,
      { at: after.createdAt, id: after.id },
      'desc',
    );
    conditions.push(
      (order === 'unread_first'
        ? or(sql`${unread} < ${after.unread}`, and(sql`${unread} = ${after.unread}`, sameGroup))
        : sameGroup) ?? sql`false`,
    );
  }
  const ordering =
    order === 'unread_first'
      ? [desc(unread), desc(notifications.createdAt), desc(notifications.id)]
      : [desc(notifications.createdAt), desc(notifications.id)];
  return tx
    .select()
    .from(notifications)
    .where(and(...conditions))
    .orderBy(...ordering)
    .limit(limit + 1);
}

/** Every notification in the user's inbox, oldest first (data export). */
export async function allNotificationsOf(tx: Tx, userId: string): Promise<NotificationRow[]> {
  return tx
    .select()
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(asc(notifications.createdAt), asc(notifications.id));
}

export async function unreadCount(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

/** Marks read (keeping the first read time); undefined when the user has no such notification. */
export async function markRead(tx: Tx, userId: string, id: string, now: Date) {
  const [row] = await tx
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)` })
    .where(and(eq(notifications.userId, userId), eq(notifications.id, id)))
    .returning();
  return row;
}

export async function markAllRead(tx: Tx, userId: string, now: Date): Promise<number> {
  const rows = await tx
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function deleteNotification(tx: Tx, userId: string, id: string): Promise<boolean> {
  const rows = await tx
    .delete(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.id, id)))
    .returning({ id: notifications.id });
  return rows.length > 0;
}

export async function markPushed(tx: Tx, userId: string, id: string, now: Date) {
  await tx
    .update(notifications)
    .set({ pushedAt: now })
    .where(and(eq(notifications.userId, userId), eq(notifications.id, id)));
}

// Deliveries

export type DeliveryKey = { userId: string; kind: NotificationKind; key: string };

const keyOf = (d: DeliveryKey) =>
  and(
    eq(notificationDeliveries.userId, d.userId),
    eq(notificationDeliveries.kind, d.kind),
    eq(notificationDeliveries.key, d.key),
  );

export async function findDelivery(tx: Tx, d: DeliveryKey) {
  const [row] = await tx.select().from(notificationDeliveries).where(keyOf(d));
  return row;
}

/** Claims the delivery: true for exactly one of any number of concurrent claimants. */
export async function claimDelivery(
  tx: Tx,
  d: DeliveryKey,
  status: DeliveryStatus,
  now: Date,
  extra: { reason?: string; affirmationCode?: string; leaseUntil?: Date } = {},
): Promise<boolean> {
  const rows = await tx
    .insert(notificationDeliveries)
    .values({
      ...d,
      status,
      createdAt: now,
      ...extra,
      completedAt: status === 'skipped' ? now : null,
    })
    .onConflictDoNothing()
    .returning({ key: notificationDeliveries.key });
  return rows.length > 0;
}

export async function updateDelivery(
  tx: Tx,
  d: DeliveryKey,
  changes: {
    status?: DeliveryStatus;
    notificationId?: string;
    completedAt?: Date;
    leaseUntil?: Date | null;
  },
) {
  await tx.update(notificationDeliveries).set(changes).where(keyOf(d));
}

/** Takes over a pending delivery whose lease ran out (its worker died); false if still held. */
export async function takeOverLease(tx: Tx, d: DeliveryKey, now: Date, until: Date) {
  const rows = await tx
    .update(notificationDeliveries)
    .set({ leaseUntil: until })
    .where(
      and(
        keyOf(d),
        eq(notificationDeliveries.status, 'pending'),
        or(isNull(notificationDeliveries.leaseUntil), lt(notificationDeliveries.leaseUntil, now)),
      ),
    )
    .returning({ key: notificationDeliveries.key });
  return rows.length > 0;
}

export async function recentAffirmationCodes(tx: Tx, userId: string, since: Date) {
  const rows = await tx
    .select({ code: notificationDeliveries.affirmationCode })
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.userId, userId),
        eq(notificationDeliveries.kind, 'affirmation'),
        gte(notificationDeliveries.createdAt, since),
      ),
    );
  return new Set(rows.flatMap((r) => (r.code ? [r.code] : [])));
}

export interface DueDelivery {
  user_id: string;
  kind: 'reminder' | 'affirmation';
  local_date: string;
}

/**
 * System scope: users whose local reminder or affirmation time came within the last
 * `windowMinutes` (a late tick catches up; a time skipped by a DST jump is still reached),
 * on one of their days, with no delivery yet for that local date. Users who never saved
 * preferences are scheduled with the defaults. The time arithmetic is PostgreSQL's, with
 * the IANA zone of each user (DST included).
 */
export async function dueDeliveries(
  tx: Tx,
  now: Date,
  defaults: Omit<PreferencesDto, 'updated_at'>,
  windowMinutes: number,
): Promise<DueDelivery[]> {
  const allDays = `{${WEEKDAYS.join(',')}}`;
  const defaultDays = `{${defaults.reminder_days.join(',')}}`;
  return queryRows<DueDelivery>(
    tx,
    sql`select u.id as user_id, k.kind, l.local_now::date::text as local_date
        from ${activeAccountLocales} u
        left join ${notificationPreferences} p on p.user_id = u.id
        cross join lateral (select (${now.toISOString()}::timestamptz at time zone u.time_zone) as local_now) l
        cross join lateral (values
          ('reminder', coalesce(p.reminders_enabled, ${defaults.reminders_enabled}),
           coalesce(p.reminder_time, ${defaults.reminder_time}::time), coalesce(p.reminder_days, ${defaultDays}::text[])),
          ('affirmation', coalesce(p.affirmations_enabled, ${defaults.affirmations_enabled}),
           coalesce(p.affirmation_time, ${defaults.affirmation_time}::time), ${allDays}::text[])
        ) as k(kind, enabled, at_time, days)
        where k.enabled
          and l.local_now >= l.local_now::date + k.at_time
          and l.local_now < l.local_now::date + k.at_time + make_interval(mins => ${windowMinutes}::int)
          and (${allDays}::text[])[extract(isodow from l.local_now)::int] = any(k.days)
          and not exists (
            select 1 from ${notificationDeliveries} d
            where d.user_id = u.id and d.kind = k.kind and d.key = l.local_now::date::text)`,
  );
}
