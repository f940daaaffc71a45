// Buckets of check-ins by local day, week or month, and the direction of the whole range
// (a least-squares fit whose confidence decides whether it is named; rules.ts).
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { daysBetween } from '../../../platform/time.ts';
import type { TrendsDto, TrendsInput } from '../schemas.ts';
import { invalidRange, type AnalyticsContext } from './context.ts';
import * as analytics from './repository.ts';
import { round, RULES, trendDirection } from './rules.ts';

export async function trends(
  ctx: AnalyticsContext,
  caller: AuthContext,
  input: TrendsInput,
): Promise<TrendsDto> {
  return ctx.readTx(caller.userId, async (tx) => {
    const { range, from, to } = await ctx.rangeFor(tx, caller, input, '#/body');
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
