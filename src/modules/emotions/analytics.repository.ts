// Analytics over a user's check-ins, aggregated in SQL. Every query filters on the user
// and on local_time (the user's wall clock when the check-in happened), served by the
// (user_id, local_time) index of each monthly partition, plus a created_at window so the
// planner prunes partitions outside the range: cost follows the user's own rows.
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Tx } from '../../platform/db/database.ts';
import type { Period } from './schemas.ts';

export interface Range {
  userId: string;
  /** First local day, inclusive ('YYYY-MM-DD'). */
  from: string;
  /** The day after the last local day ('YYYY-MM-DD'). */
  toExclusive: string;
}

// Local time is at most 14 hours away from UTC: widen by a day on each side for pruning.
const utcWindow = (range: Range) => {
  const start = new Date(`${range.from}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - 1);
  const end = new Date(`${range.toExclusive}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return { start: start.toISOString(), end: end.toISOString() };
};

function inRange(range: Range, alias = 'c'): SQL {
  const { start, end } = utcWindow(range);
  const c = sql.raw(alias);
  return sql`${c}.user_id = ${range.userId}
    and ${c}.local_time >= ${range.from}::timestamp and ${c}.local_time < ${range.toExclusive}::timestamp
    and ${c}.created_at >= ${start}::timestamptz and ${c}.created_at < ${end}::timestamptz`;
}

const idList = (ids: readonly number[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

export async function distribution(tx: Tx, range: Range) {
  return queryRows<{ emotion_type_id: number; n: number; mean_intensity: number }>(
    tx,
    sql`select c.emotion_type_id, count(*)::int as n, avg(c.intensity)::float8 as mean_intensity
        from checkins c where ${inRange(range)}
        group by c.emotion_type_id`,
  );
}

export async function trendBuckets(
  tx: Tx,
  range: Range,
  lastDay: string,
  period: Period,
  emotionTypeIds?: number[],
) {
  const filter = emotionTypeIds ? sql`and c.emotion_type_id in (${idList(emotionTypeIds)})` : sql``;
  return queryRows<{
    start: string;
    n: number;
    mean_intensity: number | null;
    mean_valence: number | null;
    dominant: number | null;
  }>(
    tx,
    sql`with data as (
          select date_trunc(${period}, c.local_time) as start, c.emotion_type_id, c.intensity, e.valence::float8 as valence
          from checkins c join emotion_types e on e.id = c.emotion_type_id
          where ${inRange(range)} ${filter}
        ), agg as (
          select start, count(*)::int as n, avg(intensity)::float8 as mean_intensity, avg(valence)::float8 as mean_valence,
                 mode() within group (order by emotion_type_id) as dominant
          from data group by start
        )
        select to_char(b.start, 'YYYY-MM-DD') as start, coalesce(a.n, 0)::int as n, a.mean_intensity, a.mean_valence,
               a.dominant::int as dominant
        from generate_series(date_trunc(${period}, ${range.from}::timestamp), date_trunc(${period}, ${lastDay}::timestamp),
                             ${`1 ${period}`}::interval) as b(start)
        left join agg a on a.start = b.start
        order by b.start`,
  );
}

/** Least-squares fit of intensity-weighted valence against time (days). */
export async function trendFit(tx: Tx, range: Range, emotionTypeIds?: number[]) {
  const filter = emotionTypeIds ? sql`and c.emotion_type_id in (${idList(emotionTypeIds)})` : sql``;
  const [row] = await queryRows<{
    n: number;
    days: number;
    slope: number | null;
    sxx: number | null;
    syy: number | null;
    sxy: number | null;
  }>(
    tx,
    sql`select count(*)::int as n, count(distinct d.day)::int as days,
               regr_slope(d.score, d.x) as slope, regr_sxx(d.score, d.x) as sxx,
               regr_syy(d.score, d.x) as syy, regr_sxy(d.score, d.x) as sxy
        from (
          select e.valence::float8 * c.intensity / 10.0 as score,
                 extract(epoch from c.local_time)::float8 / 86400.0 as x,
                 c.local_time::date as day
          from checkins c join emotion_types e on e.id = c.emotion_type_id
          where ${inRange(range)} ${filter}
        ) d`,
  );
  return row ?? { n: 0, days: 0, slope: null, sxx: null, syy: null, sxy: null };
}

const partOfDay = sql`case when extract(hour from c.local_time) < 6 then 'night'
  when extract(hour from c.local_time) < 12 then 'morning'
  when extract(hour from c.local_time) < 18 then 'afternoon' else 'evening' end`;

export interface ProfileRow {
  key: string;
  n: number;
  mean_valence: number | null;
  mean_intensity: number | null;
  dominant: number | null;
}

async function profile(tx: Tx, range: Range, key: SQL): Promise<ProfileRow[]> {
  return queryRows<ProfileRow>(
    tx,
    sql`select (${key})::text as key, count(*)::int as n, avg(e.valence)::float8 as mean_valence,
               avg(c.intensity)::float8 as mean_intensity, (mode() within group (order by c.emotion_type_id))::int as dominant
        from checkins c join emotion_types e on e.id = c.emotion_type_id
        where ${inRange(range)}
        group by 1`,
  );
}

export const dayOfWeekProfile = (tx: Tx, range: Range) =>
  profile(tx, range, sql`extract(isodow from c.local_time)::int`);
export const timeOfDayProfile = (tx: Tx, range: Range) => profile(tx, range, partOfDay);

export async function recurringEmotions(tx: Tx, range: Range, limit: number) {
  return queryRows<{ emotion_type_id: number; n: number; days: number; usual_part: string }>(
    tx,
    sql`select c.emotion_type_id, count(*)::int as n, count(distinct c.local_time::date)::int as days,
               mode() within group (order by ${partOfDay}) as usual_part
        from checkins c where ${inRange(range)}
        group by c.emotion_type_id
        order by n desc, c.emotion_type_id
        limit ${limit}`,
  );
}

export interface ShiftRow {
  tool_id?: string | null;
  n: number;
  valence_change: number | null;
  intensity_change: number | null;
  affect_change: number | null;
}

/** Pre/post pairs around journals: the first pre and the last post check-in of each journal. */
export async function journalShifts(tx: Tx, range: Range): Promise<ShiftRow> {
  const [row] = await queryRows<ShiftRow>(
    tx,
    sql`with linked as (
          select c.related_journal_id as journal, c.context, c.created_at, e.valence::float8 as v, c.intensity::float8 as i
          from checkins c join emotion_types e on e.id = c.emotion_type_id
          where ${inRange(range)} and c.related_journal_id is not null and c.context in ('pre_journal', 'post_journal')
        ), pre as (
          select distinct on (journal) journal, v, i from linked where context = 'pre_journal' order by journal, created_at
        ), post as (
          select distinct on (journal) journal, v, i from linked where context = 'post_journal' order by journal, created_at desc
        )
        select count(*)::int as n, avg(post.v - pre.v)::float8 as valence_change, avg(post.i - pre.i)::float8 as intensity_change,
               avg(post.v * post.i / 10 - pre.v * pre.i / 10)::float8 as affect_change
        from pre join post using (journal)`,
  );
  return row ?? { n: 0, valence_change: null, intensity_change: null, affect_change: null };
}

/**
 * Pre/post pairs around tools: each post_tool check-in with the latest pre_tool check-in
 * of the same tool in the three hours before it. Per tool, plus the overall row (tool_id null).
 */
export async function toolShifts(tx: Tx, range: Range): Promise<ShiftRow[]> {
  return queryRows<ShiftRow>(
    tx,
    sql`with post as (
          select c.related_tool_id as tool_id, c.created_at, e.valence::float8 as v, c.intensity::float8 as i
          from checkins c join emotion_types e on e.id = c.emotion_type_id
          where ${inRange(range)} and c.context = 'post_tool' and c.related_tool_id is not null
        ), pairs as (
          select post.tool_id, post.v - pre.v as dv, post.i - pre.i as di, post.v * post.i / 10 - pre.v * pre.i / 10 as da
          from post cross join lateral (
            select e.valence::float8 as v, p.intensity::float8 as i
            from checkins p join emotion_types e on e.id = p.emotion_type_id
            where p.user_id = ${range.userId} and p.context = 'pre_tool' and p.related_tool_id = post.tool_id
              and p.created_at <= post.created_at and p.created_at >= post.created_at - interval '3 hours'
            order by p.created_at desc limit 1
          ) pre
        )
        select tool_id::text as tool_id, count(*)::int as n, avg(dv)::float8 as valence_change,
               avg(di)::float8 as intensity_change, avg(da)::float8 as affect_change
        from pairs group by rollup(tool_id)
        order by tool_id nulls first`,
  );
}
