// SQL of the progress module's activities: recording them, the streak's runs, the metrics
// achievements are measured on, statistics, the calendar, and the data export's pages.
// Achievements' own SQL is in achievements/repository.ts.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { compileQuery, plain } from '../../platform/db/compiled-query.ts';
import { afterKey } from '../../platform/db/keyset.ts';
import { queryRows, type Tx } from '../../platform/db/database.ts';
import { activityTypes, userActivities, type ActivityMetadata } from './tables.ts';
import type { Run } from './streaks.ts';
import { ACTIVITY_TYPE_IDS } from './values.ts';

export interface NewActivity {
  userId: string;
  activityTypeId: number;
  relatedEntityId: string;
  occurredAt: Date;
  localDate: string;
  timeZone: string;
  metadata: ActivityMetadata;
}

// Recorded with every check-in, journal and tool session: compiled once (issue 17). Each
// value is encoded as its column does (metadata as JSON, the time as ISO 8601).
const insertOne = compileQuery(
  {
    userId: plain<string>(),
    activityTypeId: plain<number>(),
    relatedEntityId: plain<string>(),
    occurredAt: plain<Date>(),
    localDate: plain<string>(),
    timeZone: plain<string>(),
    metadata: plain<ActivityMetadata>(),
  },
  (db, p) =>
    db
      .insert(userActivities)
      .values({ ...p })
      .onConflictDoNothing()
      .returning({ id: userActivities.id }),
);

/** Records one activity; false when it was recorded already (the same entity). */
export async function insertActivity(tx: Tx, row: NewActivity): Promise<boolean> {
  const inserted = await insertOne.run(tx, row);
  return inserted.length > 0;
}

/**
 * The user deleted every item of a kind (all check-ins, all journals): their activities stay
 * as the days the user showed up (streaks and counts do not change), but no longer point at
 * the deleted rows, and a check-in's activity forgets its emotion. Returns how many changed.
 */
export async function forgetSources(
  tx: Tx,
  userId: string,
  kind: 'checkin' | 'journal',
): Promise<number> {
  const changed = await tx
    .update(userActivities)
    .set({
      relatedEntityId: sql`gen_random_uuid()`,
      ...(kind === 'checkin'
        ? { metadata: sql`${userActivities.metadata} - 'emotion_type_id'` }
        : {}),
    })
    .where(
      and(
        eq(userActivities.userId, userId),
        eq(userActivities.activityTypeId, ACTIVITY_TYPE_IDS[kind]),
      ),
    )
    .returning({ id: userActivities.id });
  return changed.length;
}

/** The user's history as runs of consecutive active days (gaps and islands), oldest first. */
export async function activityRuns(tx: Tx, userId: string): Promise<Run[]> {
  const rows = await queryRows<{
    start: string;
    end: string;
    days: number;
    first_at: string | Date;
    first_zone: string;
    last_at: string | Date;
    last_zone: string;
  }>(
    tx,
    sql`with days as (
          select local_date as d, min(occurred_at) as first_at, max(occurred_at) as last_at,
                 (array_agg(time_zone order by occurred_at))[1] as first_zone,
                 (array_agg(time_zone order by occurred_at desc))[1] as last_zone
          from user_activities where user_id = ${userId} group by local_date
        ), grouped as (
          select *, d - (row_number() over (order by d))::int as grp from days
        )
        select min(d)::text as start, max(d)::text as "end", count(*)::int as days,
               (array_agg(first_at order by d))[1] as first_at,
               (array_agg(first_zone order by d))[1] as first_zone,
               (array_agg(last_at order by d desc))[1] as last_at,
               (array_agg(last_zone order by d desc))[1] as last_zone
        from grouped group by grp order by 1`,
  );
  return rows.map((r) => ({
    start: r.start,
    end: r.end,
    days: r.days,
    firstAt: new Date(r.first_at),
    firstZone: r.first_zone,
    lastAt: new Date(r.last_at),
    lastZone: r.last_zone,
  }));
}

export interface Metrics {
  checkins: number;
  journals: number;
  tools: number;
  any: number;
  distinct_tools: number;
  tool_categories: number;
  distinct_emotions: number;
  journal_seconds: number;
  active_days: number;
}

/** Counts over all of the user's activities (what achievements are measured on). */
export async function metrics(tx: Tx, userId: string): Promise<Metrics> {
  const [row] = await queryRows<Metrics>(
    tx,
    sql`select count(*) filter (where activity_type_id = 1)::int as checkins,
               count(*) filter (where activity_type_id = 2)::int as journals,
               count(*) filter (where activity_type_id = 3)::int as tools,
               count(*)::int as any,
               count(distinct metadata->>'tool_id')::int as distinct_tools,
               count(distinct metadata->>'tool_category')::int as tool_categories,
               count(distinct metadata->>'emotion_type_id')::int as distinct_emotions,
               coalesce(sum((metadata->>'duration_seconds')::int) filter (where activity_type_id = 2), 0)::int as journal_seconds,
               count(distinct local_date)::int as active_days
        from user_activities where user_id = ${userId}`,
  );
  return (
    row ?? {
      checkins: 0,
      journals: 0,
      tools: 0,
      any: 0,
      distinct_tools: 0,
      tool_categories: 0,
      distinct_emotions: 0,
      journal_seconds: 0,
      active_days: 0,
    }
  );
}

export interface PeriodStats {
  journals: number;
  journal_seconds: number;
  checkins: number;
  tools_used: number;
  tools_completed: number;
  active_days: number;
}

/** Activity between two local days (inclusive), aggregated in SQL. */
export async function periodStats(
  tx: Tx,
  userId: string,
  from: string | null,
  to: string,
): Promise<PeriodStats> {
  const since = from ? sql`and local_date >= ${from}::date` : sql``;
  const [row] = await queryRows<PeriodStats>(
    tx,
    sql`select count(*) filter (where activity_type_id = 2)::int as journals,
               coalesce(sum((metadata->>'duration_seconds')::int) filter (where activity_type_id = 2), 0)::int as journal_seconds,
               count(*) filter (where activity_type_id = 1)::int as checkins,
               count(*) filter (where activity_type_id = 3)::int as tools_used,
               count(*) filter (where activity_type_id = 3 and metadata->>'completion_status' = 'completed')::int as tools_completed,
               count(distinct local_date)::int as active_days
        from user_activities where user_id = ${userId} and local_date <= ${to}::date ${since}`,
  );
  return (
    row ?? {
      journals: 0,
      journal_seconds: 0,
      checkins: 0,
      tools_used: 0,
      tools_completed: 0,
      active_days: 0,
    }
  );
}

/** The most frequent values of a metadata field among one kind of activity in a period. */
export async function topValues(
  tx: Tx,
  userId: string,
  field: 'tool_id' | 'emotion_type_id',
  from: string | null,
  to: string,
  limit: number,
) {
  const since = from ? sql`and local_date >= ${from}::date` : sql``;
  return queryRows<{ value: string; n: number }>(
    tx,
    sql`select metadata->>${field} as value, count(*)::int as n
        from user_activities
        where user_id = ${userId} and metadata ? ${field} and local_date <= ${to}::date ${since}
        group by 1 order by n desc, value limit ${limit}`,
  );
}

/** Activities per local day and the most frequent emotion checked in that day, for a year. */
export async function calendar(tx: Tx, userId: string, year: number) {
  return queryRows<{ day: string; n: number; emotion: number | null }>(
    tx,
    sql`select local_date::text as day, count(*)::int as n,
               (mode() within group (order by (metadata->>'emotion_type_id')::int))::int as emotion
        from user_activities
        where user_id = ${userId} and local_date >= make_date(${year}::int, 1, 1) and local_date < make_date(${year}::int + 1, 1, 1)
        group by local_date order by local_date`,
  );
}

/** Activities per ISO week and kind over the last `weeks` weeks ending at `to`. */
export async function weeklyActivity(tx: Tx, userId: string, from: string, to: string) {
  return queryRows<{ week: string; kind: number; n: number }>(
    tx,
    sql`select to_char(date_trunc('week', local_date), 'YYYY-MM-DD') as week, activity_type_id as kind, count(*)::int as n
        from user_activities where user_id = ${userId} and local_date between ${from}::date and ${to}::date
        group by 1, 2 order by 1`,
  );
}

export async function activeOn(
  tx: Tx,
  userId: string,
  day: string,
  kinds?: number[],
): Promise<boolean> {
  const rows = await tx
    .select({ id: userActivities.id })
    .from(userActivities)
    .where(
      and(
        eq(userActivities.userId, userId),
        eq(userActivities.localDate, day),
        kinds ? inArray(userActivities.activityTypeId, kinds) : undefined,
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** Every activity of the user, oldest first (data export). */
export type ExportedActivityRow = Awaited<ReturnType<typeof activitiesOldestFirst>>[number];

/** A page of every activity of the user, oldest first (the full data export). */
export async function activitiesOldestFirst(
  tx: Tx,
  userId: string,
  limit: number,
  after?: { occurredAt: Date; id: string },
) {
  return tx
    .select({
      id: userActivities.id,
      kind: activityTypes.code,
      relatedEntityId: userActivities.relatedEntityId,
      occurredAt: userActivities.occurredAt,
      localDate: userActivities.localDate,
      timeZone: userActivities.timeZone,
      metadata: userActivities.metadata,
    })
    .from(userActivities)
    .innerJoin(activityTypes, eq(activityTypes.id, userActivities.activityTypeId))
    .where(
      and(
        eq(userActivities.userId, userId),
        afterKey(
          userActivities.occurredAt,
          userActivities.id,
          after && { at: after.occurredAt, id: after.id },
          'asc',
        ),
      ),
    )
    .orderBy(asc(userActivities.occurredAt), asc(userActivities.id))
    .limit(limit);
}
