// Analytics a user can trust: aggregates computed in SQL over their own check-ins, in
// their time zone, with the numbers behind every statement and no claim made from too
// little data. The rules (minimum samples, thresholds) are documented in docs/emotions.md.
import jStat from 'jstat';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { AppError } from '../../platform/errors.ts';
import { addDays, daysBetween, localDate } from '../../platform/time.ts';
import * as analytics from './analytics.repository.ts';
import type { Range, ShiftRow } from './analytics.repository.ts';
import type { EmotionCatalog } from './catalog.ts';
import type { UserProfilePort } from './service.ts';
import type { AnalyticsTexts } from './texts.ts';
import { fillTemplate } from './texts.ts';
import type {
  DistributionDto,
  InsightsDto,
  PatternsDto,
  Period,
  RangeInput,
  RecommendationsDto,
  ShiftDto,
  TrendsDto,
  TrendsInput,
} from './schemas.ts';
import { TIME_OF_DAY } from './schemas.ts';
import { rankTools, type ToolCatalogPort } from './recommendations.ts';

/** Thresholds of the statements the analytics make (also in docs/emotions.md). */
export const RULES = {
  maxRangeDays: 3660,
  maxBuckets: { day: 366, week: 524, month: 122 } satisfies Record<Period, number>,
  trend: { minCheckins: 10, minDays: 5, minConfidence: 0.9, minChange: 0.1 },
  dominant: { minCheckins: 8, windowDays: 30 },
  timeOfDay: { minPerPart: 5, minDifference: 0.2, windowDays: 60 },
  shift: { minPairs: 3, minAffectChange: 0.1, windowDays: 90 },
  insightTrendWindowDays: 42,
};

export interface AnalyticsDeps {
  db: Database;
  clock: Clock;
  catalog: () => EmotionCatalog;
  profiles: UserProfilePort;
  tools: () => ToolCatalogPort | undefined;
  texts: AnalyticsTexts;
}

const round = (value: number | null, digits = 3) =>
  value === null ? null : Number(value.toFixed(digits));

const invalidRange = (detail: string, pointer: string) =>
  new AppError(422, 'invalid-range', 'Invalid range', {
    detail,
    errors: [{ pointer, message: detail }],
  });

function toShift(row: ShiftRow | undefined): ShiftDto {
  return {
    count: row?.n ?? 0,
    mean_valence_change: round(row?.valence_change ?? null),
    mean_intensity_change: round(row?.intensity_change ?? null),
    mean_affect_change: round(row?.affect_change ?? null),
  };
}

/** Direction of the fitted slope, with the two-sided confidence of its t statistic. */
export function trendDirection(
  fit: {
    n: number;
    days: number;
    slope: number | null;
    sxx: number | null;
    syy: number | null;
    sxy: number | null;
  },
  spanDays: number,
): TrendsDto['direction'] {
  const base = { sample_size: fit.n, days_with_data: fit.days };
  const { minCheckins, minDays, minConfidence, minChange } = RULES.trend;
  if (fit.n < minCheckins || fit.days < minDays || fit.slope === null || !fit.sxx || fit.sxx <= 0) {
    return { label: 'insufficient_data', slope_per_day: null, confidence: null, ...base };
  }
  const residual = Math.max(0, (fit.syy ?? 0) - fit.slope * (fit.sxy ?? 0));
  const standardError = Math.sqrt(residual / (fit.n - 2) / fit.sxx);
  const confidence =
    standardError === 0
      ? 1
      : 1 - 2 * (1 - jStat.studentt.cdf(Math.abs(fit.slope / standardError), fit.n - 2));
  const change = fit.slope * Math.max(1, spanDays);
  const label =
    confidence >= minConfidence && Math.abs(change) >= minChange
      ? change > 0
        ? 'improving'
        : 'declining'
      : 'stable';
  return { label, slope_per_day: round(fit.slope, 5), confidence: round(confidence), ...base };
}

export function createAnalyticsService(deps: AnalyticsDeps) {
  const { db, clock } = deps;
  // Analytics scan many monthly partitions: plan their statements once (generic plans).
  const readTx = <T>(userId: string, work: (tx: Tx) => Promise<T>) =>
    db.asUser(userId, work, { genericPlans: true });

  /** The user's range (default: the 30 local days ending today), read in the request's transaction. */
  async function rangeFor(
    tx: Tx,
    caller: AuthContext,
    input: { from?: string | undefined; to?: string | undefined },
    pointer: string,
  ) {
    const profile = await deps.profiles.profileIn(tx, caller.userId);
    const to = input.to ?? localDate(clock.now(), profile.timeZone);
    const from = input.from ?? addDays(to, -29);
    if (from > to) throw invalidRange('`from` is after `to`', `${pointer}/from`);
    if (daysBetween(from, to) > RULES.maxRangeDays) {
      throw invalidRange(
        `The range may span at most ${RULES.maxRangeDays} days`,
        `${pointer}/from`,
      );
    }
    const range: Range = {
      userId: caller.userId,
      from,
      toExclusive: addDays(to, 1),
      valences: deps.catalog().valences,
    };
    return { range, from, to };
  }

  async function distribution(caller: AuthContext, input: RangeInput): Promise<DistributionDto> {
    const { rows, from, to } = await readTx(caller.userId, async (tx) => {
      const { range, from, to } = await rangeFor(tx, caller, input, '#/query');
      return { rows: await analytics.distribution(tx, range), from, to };
    });
    const catalog = deps.catalog();
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    const share = (n: number) => (total === 0 ? 0 : Number((n / total).toFixed(4)));
    const emotions = rows
      .map((r) => ({
        emotion_type_id: r.emotion_type_id,
        count: r.n,
        share: share(r.n),
        mean_intensity: Number(r.mean_intensity.toFixed(2)),
      }))
      .sort((a, b) => b.count - a.count || a.emotion_type_id - b.emotion_type_id);
    const byCategory = new Map<string, number>();
    for (const r of rows) {
      const category = catalog.byId(r.emotion_type_id)?.category ?? 'neutral';
      byCategory.set(category, (byCategory.get(category) ?? 0) + r.n);
    }
    const categories = (['positive', 'neutral', 'negative'] as const).map((category) => ({
      category,
      count: byCategory.get(category) ?? 0,
      share: share(byCategory.get(category) ?? 0),
    }));
    return { from, to, total, emotions, categories };
  }

  async function trends(caller: AuthContext, input: TrendsInput): Promise<TrendsDto> {
    return readTx(caller.userId, async (tx) => {
      const { range, from, to } = await rangeFor(tx, caller, input, '#/body');
      const span = daysBetween(from, to) + 1;
      const months =
        (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
        Number(to.slice(5, 7)) -
        Number(from.slice(5, 7)) +
        1;
      const buckets =
        input.period === 'day' ? span : input.period === 'week' ? Math.floor(span / 7) + 2 : months;
      if (buckets > RULES.maxBuckets[input.period]) {
        throw invalidRange(
          `Too many ${input.period} buckets for this range; use a longer period`,
          '#/body/period',
        );
      }
      const result = await analytics.trends(tx, range, to, input.period, input.emotion_type_ids);
      return {
        period: input.period,
        from,
        to,
        buckets: result.buckets.map((r) => ({
          start: r.start,
          count: r.n,
          mean_intensity: round(r.mean_intensity, 2),
          mean_valence: round(r.mean_valence),
          dominant_emotion_type_id: r.dominant,
        })),
        direction: trendDirection(result.fit, span),
      };
    });
  }

  async function patterns(caller: AuthContext, input: RangeInput): Promise<PatternsDto> {
    const { from, to, profiles, journals, tools } = await readTx(caller.userId, async (tx) => {
      const { range, from, to } = await rangeFor(tx, caller, input, '#/body');
      return {
        from,
        to,
        profiles: await analytics.profiles(tx, range),
        journals: await analytics.journalShifts(tx, range),
        tools: await analytics.toolShifts(tx, range),
      };
    });
    const profileOf = (row: analytics.ProfileRow | undefined) => ({
      count: row?.n ?? 0,
      mean_valence: round(row?.mean_valence ?? null),
      mean_intensity: round(row?.mean_intensity ?? null, 2),
      dominant_emotion_type_id: row?.dominant ?? null,
    });
    const total = profiles.dayOfWeek.reduce((sum, r) => sum + r.n, 0);
    return {
      from,
      to,
      day_of_week: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        iso_day: day,
        ...profileOf(profiles.dayOfWeek.find((r) => r.key === String(day))),
      })),
      time_of_day: TIME_OF_DAY.map((part) => ({
        part,
        ...profileOf(profiles.timeOfDay.find((r) => r.key === part)),
      })),
      recurring_emotions: profiles.recurring.slice(0, 5).map((r) => ({
        emotion_type_id: r.emotion_type_id,
        count: r.n,
        share: total ? Number((r.n / total).toFixed(4)) : 0,
        days: r.days,
        usual_time_of_day: r.usual_part as (typeof TIME_OF_DAY)[number],
      })),
      shifts: {
        journals: toShift(journals),
        tools: {
          overall: toShift(tools.find((r) => !r.tool_id)),
          by_tool: tools
            .filter((r) => r.tool_id)
            .map((r) => ({ tool_id: r.tool_id as string, ...toShift(r) })),
        },
      },
    };
  }

  async function insights(caller: AuthContext): Promise<InsightsDto> {
    const texts = deps.texts;
    const catalog = deps.catalog();
    const { language, data } = await readTx(caller.userId, async (tx) => {
      const profile = await deps.profiles.profileIn(tx, caller.userId);
      const today = localDate(clock.now(), profile.timeZone);
      const window = (days: number): Range => ({
        userId: caller.userId,
        from: addDays(today, -(days - 1)),
        toExclusive: addDays(today, 1),
        valences: deps.catalog().valences,
      });
      return {
        language: profile.language,
        data: {
          recent: await analytics.distribution(tx, window(RULES.dominant.windowDays)),
          parts: (await analytics.profiles(tx, window(RULES.timeOfDay.windowDays))).timeOfDay,
          fit: await analytics.trendFit(tx, window(RULES.insightTrendWindowDays)),
          journals: await analytics.journalShifts(tx, window(RULES.shift.windowDays)),
          tools: await analytics.toolShifts(tx, window(RULES.shift.windowDays)),
        },
      };
    });
    const items: InsightsDto['items'] = [];

    const total = data.recent.reduce((s, r) => s + r.n, 0);
    const top = [...data.recent].sort(
      (a, b) => b.n - a.n || a.emotion_type_id - b.emotion_type_id,
    )[0];
    if (top && total >= RULES.dominant.minCheckins) {
      const emotion = catalog.byId(top.emotion_type_id);
      const share = top.n / total;
      items.push({
        type: 'dominant_emotion',
        message: fillTemplate(texts.insights.dominant_emotion[language], {
          days: String(RULES.dominant.windowDays),
          emotion: (emotion?.name[language] ?? '').toLowerCase(),
          percent: String(Math.round(share * 100)),
        }),
        data: {
          emotion_type_id: top.emotion_type_id,
          count: top.n,
          total,
          share: Number(share.toFixed(3)),
          days: RULES.dominant.windowDays,
        },
        confidence: Number(Math.min(1, total / 30).toFixed(2)),
      });
    }

    const parts = data.parts.filter(
      (p) => p.n >= RULES.timeOfDay.minPerPart && p.mean_valence !== null,
    );
    if (parts.length >= 2) {
      const sorted = [...parts].sort((a, b) => (b.mean_valence ?? 0) - (a.mean_valence ?? 0));
      const best = sorted[0]!;
      const worst = sorted[sorted.length - 1]!;
      const difference = (best.mean_valence ?? 0) - (worst.mean_valence ?? 0);
      if (difference >= RULES.timeOfDay.minDifference) {
        const names = texts.partsOfDay[language];
        items.push({
          type: 'time_of_day',
          message: fillTemplate(texts.insights.time_of_day[language], {
            best_part: names[best.key as keyof typeof names] ?? best.key,
            worst_part: names[worst.key as keyof typeof names] ?? worst.key,
          }),
          data: {
            best: { part: best.key, count: best.n, mean_valence: round(best.mean_valence) },
            worst: { part: worst.key, count: worst.n, mean_valence: round(worst.mean_valence) },
            difference: round(difference),
          },
          confidence: Number(Math.min(1, Math.min(best.n, worst.n) / 15).toFixed(2)),
        });
      }
    }

    const direction = trendDirection(data.fit, RULES.insightTrendWindowDays);
    if (direction.label === 'improving' || direction.label === 'declining') {
      items.push({
        type: 'trend',
        message:
          texts.insights[direction.label === 'improving' ? 'trend_improving' : 'trend_declining'][
            language
          ],
        data: { ...direction, window_days: RULES.insightTrendWindowDays },
        confidence: direction.confidence ?? 0,
      });
    }

    const helpful = data.tools
      .filter(
        (r) =>
          r.tool_id &&
          r.n >= RULES.shift.minPairs &&
          (r.affect_change ?? 0) >= RULES.shift.minAffectChange,
      )
      .sort((a, b) => (b.affect_change ?? 0) - (a.affect_change ?? 0))[0];
    const toolCatalog = deps.tools();
    if (helpful?.tool_id && toolCatalog) {
      const name = (await toolCatalog.names([helpful.tool_id], language)).get(helpful.tool_id);
      if (name) {
        items.push({
          type: 'helpful_tool',
          message: fillTemplate(texts.insights.helpful_tool[language], {
            tool: name,
            count: String(helpful.n),
          }),
          data: { tool_id: helpful.tool_id, ...toShift(helpful) },
          confidence: Number(Math.min(1, helpful.n / 10).toFixed(2)),
        });
      }
    }

    if (
      data.journals.n >= RULES.shift.minPairs &&
      (data.journals.affect_change ?? 0) >= RULES.shift.minAffectChange
    ) {
      items.push({
        type: 'journaling_shift',
        message: fillTemplate(texts.insights.journaling_shift[language], {
          count: String(data.journals.n),
        }),
        data: { ...toShift(data.journals) },
        confidence: Number(Math.min(1, data.journals.n / 10).toFixed(2)),
      });
    }
    return { language, items };
  }

  async function recommendations(
    caller: AuthContext,
    input: { emotion_type_id: number; intensity: number; limit?: number | undefined },
  ): Promise<RecommendationsDto> {
    const emotion = deps.catalog().byId(input.emotion_type_id);
    if (!emotion) {
      throw new AppError(422, 'unknown-emotion-type', 'Unknown emotion type', {
        detail: `There is no emotion type ${input.emotion_type_id}`,
        errors: [{ pointer: '#/body/emotion_type_id', message: 'unknown emotion type' }],
      });
    }
    const tools = deps.tools();
    if (!tools)
      return { items: [], unavailable_reason: 'The tool library is not available on this server' };
    const { profile, shifts } = await readTx(caller.userId, async (tx) => {
      const profile = await deps.profiles.profileIn(tx, caller.userId);
      const today = localDate(clock.now(), profile.timeZone);
      const range = {
        userId: caller.userId,
        from: addDays(today, -364),
        toExclusive: addDays(today, 1),
        valences: deps.catalog().valences,
      };
      return { profile, shifts: await analytics.toolShifts(tx, range) };
    });
    const [candidates, favorites] = await Promise.all([
      tools.recommendable(profile.language),
      tools.favoritesOf(caller.userId),
    ]);
    const items = rankTools({
      emotion,
      intensity: input.intensity,
      catalog: deps.catalog(),
      candidates,
      favorites,
      shifts: new Map(shifts.filter((s) => s.tool_id).map((s) => [s.tool_id as string, s])),
      language: profile.language,
      reasons: deps.texts.reasons,
      limit: input.limit ?? 5,
    });
    return { items, unavailable_reason: items.length ? null : 'No tool in the library fits yet' };
  }

  return { distribution, trends, patterns, insights, recommendations };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
