// Analytics over a user's check-ins, aggregated in SQL. Every query filters on the user
// and on local_time (the user's wall clock when the check-in happened), served by the
// (user_id, local_time) index of each yearly partition, plus a created_at window so the
// planner prunes partitions outside the range: cost follows the user's own rows. About 310
// lines on purpose: every query shares the Range filter below, and splitting them would
// spread that one rule over files.
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Tx } from '../../../platform/db/database.ts';
import type { Period } from '../schemas.ts';

export interface Range {
  userId: string;
  /** Valence of each emotion type, indexed by id, as a float8[] literal (see valenceArray). */
  valences: string;
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

/** The valence of each emotion type indexed by its id: looked up per row without a join. */
export function valenceArray(types: { id: number; valence: number }[]): string {
  const max = Math.max(0, ...types.map((t) => t.id));
  const values: string[] = Array.from({ length: max }, () => 'NULL');
  for (const t of types) values[t.id - 1] = String(t.valence);
  return `{${values.join(',')}}`;
}

const valenceOf = (range: Range, alias = 'c') =>
  sql`(${range.valences}::float8[])[${sql.raw(alias)}.emotion_type_id]`;

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

export interface TrendRow {
  start: string;
  n: number;
  mean_intensity: number | null;
  mean_valence: number | null;
  dominant: number | null;
}

export interface TrendFit {
  n: number;
  days: number;
  slope: number | null;
  sxx: number | null;
  syy: number | null;
  sxy: number | null;
}

const NO_FIT: TrendFit = { n: 0, days: 0, slope: null, sxx: null, syy: null, sxy: null };

/** Intensity-weighted valence of a check-in, and its time in days (the axes of the trend fit). */
const score = (range: Range) => sql`${valenceOf(range)} * c.intensity / 10.0`;
const days = sql`date_part('epoch', c.local_time) / 86400.0`;

/**
 * Buckets (empty ones included) and the least-squares fit of intensity-weighted valence
 * against time, from one scan and one sort: grouping sets give each bucket and the total.
 */
export async function trends(
  tx: Tx,
  range: Range,
  lastDay: string,
  period: Period,
  emotionTypeIds?: number[],
): Promise<{ buckets: TrendRow[]; fit: TrendFit }> {
  const filter = emotionTypeIds ? sql`and c.emotion_type_id in (${idList(emotionTypeIds)})` : sql``;
  if (!['day', 'week', 'month'].includes(period)) throw new Error(`unknown period ${period}`);
  // A literal, not a parameter: GROUPING() must see the very expression of the grouping set.
  const bucket = sql`date_trunc('${sql.raw(period)}', c.local_time)`;
  const rows = await queryRows<
    TrendRow & {
      days: number;
      slope: number | null;
      sxx: number | null;
      syy: number | null;
      sxy: number | null;
      is_total: boolean;
    }
  >(
    tx,
    sql`with agg as (
          select ${bucket} as start, grouping(${bucket}) = 1 as is_total,
                 count(*)::int as n, avg(c.intensity)::float8 as mean_intensity, avg(${valenceOf(range)})::float8 as mean_valence,
                 (mode() within group (order by c.emotion_type_id))::int as dominant,
                 count(distinct c.local_time::date)::int as days,
                 regr_slope(${score(range)}, ${days}) as slope, regr_sxx(${score(range)}, ${days}) as sxx,
                 regr_syy(${score(range)}, ${days}) as syy, regr_sxy(${score(range)}, ${days}) as sxy
          from checkins c
          where ${inRange(range)} ${filter}
          group by grouping sets ((${bucket}), ())
        )
        select to_char(b.start, 'YYYY-MM-DD') as start, coalesce(a.n, 0)::int as n, a.mean_intensity, a.mean_valence,
               a.dominant, false as is_total, 0 as days, null::float8 as slope, null::float8 as sxx, null::float8 as syy, null::float8 as sxy
        from generate_series(date_trunc('${sql.raw(period)}', ${range.from}::timestamp), date_trunc('${sql.raw(period)}', ${lastDay}::timestamp),
                             '1 ${sql.raw(period)}'::interval) as b(start)
        left join agg a on a.start = b.start and not a.is_total
        union all
        select null, n, null, null, null, true, days, slope, sxx, syy, sxy from agg where is_total
        order by is_total, start`,
  );
  const total = rows.find((r) => r.is_total);
  return {
    buckets: rows
      .filter((r) => !r.is_total)
      .map(({ start, n, mean_intensity, mean_valence, dominant }) => ({
        start,
        n,
        mean_intensity,
        mean_valence,
        dominant,
      })),
    fit: total
      ? {
          n: total.n,
          days: total.days,
          slope: total.slope,
          sxx: total.sxx,
          syy: total.syy,
          sxy: total.sxy,
        }
      : NO_FIT,
  };
}

/** Least-squares fit of intensity-weighted valence against time (days). */
export async function trendFit(tx: Tx, range: Range, emotionTypeIds?: number[]): Promise<TrendFit> {
  const filter = emotionTypeIds ? sql`and c.emotion_type_id in (${idList(emotionTypeIds)})` : sql``;
  const [row] = await queryRows<TrendFit>(
    tx,
    sql`select count(*)::int as n, count(distinct c.local_time::date)::int as days,
               regr_slope(${score(range)}, ${days}) as slope, regr_sxx(${score(range)}, ${days}) as sxx,
               regr_syy(${score(range)}, ${days}) as syy, regr_sxy(${score(range)}, ${days}) as sxy
        from checkins c
        where ${inRange(range)} ${filter}`,
  );
  return row ?? NO_FIT;
}

const partOfDay = sql`case when date_part('hour', c.local_time) < 6 then 'night'
  when date_part('hour', c.local_time) < 12 then 'morning'
  when date_part('hour', c.local_time) < 18 then 'afternoon' else 'evening' end`;

export interface ProfileRow {
  key: string;
  n: number;
  mean_valence: number | null;
  mean_intensity: number | null;
  dominant: number | null;
}

export interface Profiles {
  dayOfWeek: ProfileRow[];
  timeOfDay: ProfileRow[];
  recurring: { emotion_type_id: number; n: number; days: number; usual_part: string }[];
}

/**
 * Day-of-week and time-of-day profiles and the recurring emotions. SQL aggregates the
 * user's rows into cells of (day of week, part of day, emotion), at most 7 × 4 × 19 of
 * them, with hash aggregation only (no sorts); the three profiles are sums over those cells.
 */
export async function profiles(tx: Tx, range: Range): Promise<Profiles> {
  const rows = await queryRows<{
    kind: 'cell' | 'days';
    dow: number | null;
    part: string | null;
    em: number;
    n: number;
    si: number | null;
    sv: number | null;
  }>(
    tx,
    sql`with data as materialized (
          select date_part('isodow', c.local_time)::int as dow, ${partOfDay} as part, c.emotion_type_id as em,
                 c.intensity, ${valenceOf(range)} as valence, c.local_time::date as day
          from checkins c
          where ${inRange(range)}
        )
        select 'cell' as kind, dow, part, em, count(*)::int as n, sum(intensity)::float8 as si, sum(valence)::float8 as sv
        from data group by dow, part, em
        union all
        select 'days', null, null, em, count(*)::int, null, null
        from (select distinct em, day from data) d group by em`,
  );
  const cells = rows.filter((r) => r.kind === 'cell');
  const daysOf = new Map(rows.filter((r) => r.kind === 'days').map((r) => [r.em, r.n]));
  // Ties go to the lowest emotion id and the alphabetically first part, as mode() would.
  const argmax = (counts: Map<string | number, number>) =>
    [...counts.entries()].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    )[0]?.[0];
  const profile = (keyOf: (r: (typeof cells)[number]) => string): ProfileRow[] => {
    const groups = new Map<string, (typeof cells)[number][]>();
    for (const cell of cells) groups.set(keyOf(cell), [...(groups.get(keyOf(cell)) ?? []), cell]);
    return [...groups.entries()].map(([key, group]) => {
      const n = group.reduce((sum, r) => sum + r.n, 0);
      const byEmotion = new Map<number, number>();
      for (const r of group) byEmotion.set(r.em, (byEmotion.get(r.em) ?? 0) + r.n);
      return {
        key,
        n,
        mean_valence: group.reduce((sum, r) => sum + (r.sv ?? 0), 0) / n,
        mean_intensity: group.reduce((sum, r) => sum + (r.si ?? 0), 0) / n,
        dominant: (argmax(byEmotion) as number | undefined) ?? null,
      };
    });
  };
  const recurring = [...new Set(cells.map((r) => r.em))].map((em) => {
    const mine = cells.filter((r) => r.em === em);
    const byPart = new Map<string, number>();
    for (const r of mine) byPart.set(r.part ?? '', (byPart.get(r.part ?? '') ?? 0) + r.n);
    return {
      emotion_type_id: em,
      n: mine.reduce((sum, r) => sum + r.n, 0),
      days: daysOf.get(em) ?? 0,
      usual_part: (argmax(byPart) as string | undefined) ?? 'morning',
    };
  });
  return {
    dayOfWeek: profile((r) => String(r.dow)),
    timeOfDay: profile((r) => r.part ?? ''),
    recurring: recurring.sort((a, b) => b.n - a.n || a.emotion_type_id - b.emotion_type_id),
  };
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
          select c.related_journal_id as journal, c.context, c.created_at, ${valenceOf(range)} as v, c.intensity::float8 as i
          from checkins c
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
 * Pre/post pairs around tools: each post_tool check-in with the check-in just before it
 * among that tool's pre/post check-ins, when that one is a pre_tool at most three hours
 * earlier (one pre pairs with one post). Per tool, plus the overall row (tool_id null).
 * One scan and one window over the rows made around tools (a partial index holds them).
 */
export async function toolShifts(tx: Tx, range: Range): Promise<ShiftRow[]> {
  return queryRows<ShiftRow>(
    tx,
    sql`with paired as (
          select c.related_tool_id as tool_id, c.context, c.created_at, ${valenceOf(range)} as v, c.intensity::float8 as i,
                 lag(c.context) over w as pre_context, lag(c.created_at) over w as pre_at,
                 lag(${valenceOf(range)}) over w as pre_v, lag(c.intensity::float8) over w as pre_i
          from checkins c
          where ${inRange(range)} and c.related_tool_id is not null and c.context in ('pre_tool', 'post_tool')
          window w as (partition by c.related_tool_id order by c.created_at, c.context desc)
        )
        select tool_id::text as tool_id, count(*)::int as n, avg(v - pre_v)::float8 as valence_change,
               avg(i - pre_i)::float8 as intensity_change, avg(v * i / 10 - pre_v * pre_i / 10)::float8 as affect_change
        from paired
        where context = 'post_tool' and pre_context = 'pre_tool' and created_at - pre_at <= interval '3 hours'
        group by rollup(tool_id)
        order by tool_id nulls first`,
  );
}
