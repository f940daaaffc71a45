// Day-of-week and time-of-day profiles, the recurring emotions, and the shifts measured
// around journals and tools (pre/post check-in pairs).
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { TIME_OF_DAY, type PatternsDto, type RangeInput } from '../schemas.ts';
import type { AnalyticsContext } from './context.ts';
import * as analytics from './repository.ts';
import { round, toShift } from './rules.ts';

export async function patterns(
  ctx: AnalyticsContext,
  caller: AuthContext,
  input: RangeInput,
): Promise<PatternsDto> {
  const { from, to, profiles, journals, tools } = await ctx.readTx(caller.userId, async (tx) => {
    const { range, from, to } = await ctx.rangeFor(tx, caller, input, '#/body');
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
