// Insights in the user's language, each with the numbers behind it and said only when the
// data supports it (rules.ts): the dominant emotion, the best and worst time of day, the
// trend, a tool that tends to help, and the shift journaling brings.
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { fillTemplate } from '../texts.ts';
import type { InsightsDto } from '../schemas.ts';
import type { AnalyticsContext } from './context.ts';
import * as analytics from './repository.ts';
import { round, RULES, toShift, trendDirection } from './rules.ts';

export async function insights(ctx: AnalyticsContext, caller: AuthContext): Promise<InsightsDto> {
  const texts = ctx.texts;
  const catalog = ctx.catalog();
  const { language, data } = await ctx.readTx(caller.userId, async (tx) => {
    const { profile, window } = await ctx.windowFor(tx, caller.userId);
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
  if (helpful?.tool_id) {
    const name = (await ctx.tools.names([helpful.tool_id], language)).get(helpful.tool_id);
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
