// Analytics a user can trust: aggregates computed in SQL over their own check-ins, in
// their time zone, with the numbers behind every statement and no claim made from too
// little data. One file per question; the rules (minimum samples, thresholds) are in
// rules.ts and documented in docs/emotions.md.
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { RangeInput, TrendsInput } from '../schemas.ts';
import { createAnalyticsContext, type AnalyticsDeps } from './context.ts';
import { distribution } from './distribution.ts';
import { insights } from './insights.ts';
import { patterns } from './patterns.ts';
import { recommendations } from './recommendations.ts';
import { trends } from './trends.ts';

export type { AnalyticsDeps };

export function createAnalyticsService(deps: AnalyticsDeps) {
  const ctx = createAnalyticsContext(deps);
  return {
    distribution: (caller: AuthContext, input: RangeInput) => distribution(ctx, caller, input),
    trends: (caller: AuthContext, input: TrendsInput) => trends(ctx, caller, input),
    patterns: (caller: AuthContext, input: RangeInput) => patterns(ctx, caller, input),
    insights: (caller: AuthContext) => insights(ctx, caller),
    recommendations: (
      caller: AuthContext,
      input: { emotion_type_id: number; intensity: number; limit?: number | undefined },
    ) => recommendations(ctx, caller, input),
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
