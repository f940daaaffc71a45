// The rules analytics follow before they say anything: the thresholds (documented in
// docs/emotions.md), the test that names a trend, and how figures are rounded.
import jStat from 'jstat';
import type { ShiftRow, TrendFit } from './repository.ts';
import type { Period, ShiftDto, TrendsDto } from '../schemas.ts';

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

export const round = (value: number | null, digits = 3) =>
  value === null ? null : Number(value.toFixed(digits));

export function toShift(row: ShiftRow | undefined): ShiftDto {
  return {
    count: row?.n ?? 0,
    mean_valence_change: round(row?.valence_change ?? null),
    mean_intensity_change: round(row?.intensity_change ?? null),
    mean_affect_change: round(row?.affect_change ?? null),
  };
}

/** Direction of the fitted slope, with the two-sided confidence of its t statistic. */
export function trendDirection(fit: TrendFit, spanDays: number): TrendsDto['direction'] {
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
