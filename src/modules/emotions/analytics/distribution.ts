// How often each emotion and each category appeared in a range of local days.
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { DistributionDto, RangeInput } from '../schemas.ts';
import type { AnalyticsContext } from './context.ts';
import * as analytics from './repository.ts';

export async function distribution(
  ctx: AnalyticsContext,
  caller: AuthContext,
  input: RangeInput,
): Promise<DistributionDto> {
  const { rows, from, to } = await ctx.readTx(caller.userId, async (tx) => {
    const { range, from, to } = await ctx.rangeFor(tx, caller, input, '#/query');
    return { rows: await analytics.distribution(tx, range), from, to };
  });
  const catalog = ctx.catalog();
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
