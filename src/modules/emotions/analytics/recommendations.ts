// Tools that fit a feeling, ranked over the tool library (the tools module's catalog
// port). Each candidate scores on four grounds, and the strongest ground becomes its reason:
//   personal  this user's own measured shift after the tool (pre/post check-ins), when
//             there are at least two pairs: +4 × mean affect change (capped to ±2)
//   match     the tool targets this emotion (+3), or one of the same category and
//             similar arousal (+1)
//   intensity high intensity (7+) favours short tools from the breathing, grounding and
//             body categories (+1); low intensity (≤ 4) favours reflective ones (+0.5)
//   favorite  the user marked it (+1)
// Variety: at most two tools of one category in the answer. The reason shown is the
// personal one when the user's own results count in favour, else the strongest ground.
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { AppError } from '../../../platform/errors.ts';
import type { RecommendableTool } from '../../tools/index.ts';
import type { EmotionCatalog } from '../catalog.ts';
import type { EmotionTypeDto, RecommendationsDto } from '../schemas.ts';
import type { AnalyticsTexts } from '../texts.ts';
import { fillTemplate } from '../texts.ts';
import type { AnalyticsContext } from './context.ts';
import * as analytics from './repository.ts';
import type { ShiftRow } from './repository.ts';

export async function recommendations(
  ctx: AnalyticsContext,
  caller: AuthContext,
  input: { emotion_type_id: number; intensity: number; limit?: number | undefined },
): Promise<RecommendationsDto> {
  const emotion = ctx.catalog().byId(input.emotion_type_id);
  if (!emotion) {
    throw new AppError(422, 'unknown-emotion-type', 'Unknown emotion type', {
      detail: `There is no emotion type ${input.emotion_type_id}`,
      errors: [{ pointer: '#/body/emotion_type_id', message: 'unknown emotion type' }],
    });
  }
  const { profile, shifts } = await ctx.readTx(caller.userId, async (tx) => {
    const { profile, window } = await ctx.windowFor(tx, caller.userId);
    return { profile, shifts: await analytics.toolShifts(tx, window(365)) };
  });
  const [candidates, favorites] = await Promise.all([
    ctx.tools.recommendable(profile.language),
    ctx.tools.favoritesOf(caller.userId),
  ]);
  const items = rankTools({
    emotion,
    intensity: input.intensity,
    catalog: ctx.catalog(),
    candidates,
    favorites,
    shifts: new Map(shifts.filter((s) => s.tool_id).map((s) => [s.tool_id as string, s])),
    language: profile.language,
    reasons: ctx.texts.reasons,
    limit: input.limit ?? 5,
  });
  return { items, unavailable_reason: items.length ? null : 'No tool in the library fits yet' };
}

const URGENT_CATEGORIES = new Set(['breathing', 'grounding', 'body']);
const REFLECTIVE_CATEGORIES = new Set(['journaling', 'gratitude', 'mindfulness']);
const SHORT_SECONDS = 5 * 60;
const MAX_PER_CATEGORY = 2;

export function rankTools(input: {
  emotion: EmotionTypeDto;
  intensity: number;
  catalog: EmotionCatalog;
  candidates: RecommendableTool[];
  favorites: Set<string>;
  shifts: Map<string, ShiftRow>;
  language: 'es' | 'en';
  reasons: AnalyticsTexts['reasons'];
  limit: number;
}): RecommendationsDto['items'] {
  const { emotion, language, reasons } = input;
  const scored = input.candidates.map((tool) => {
    const grounds: {
      key: keyof AnalyticsTexts['reasons'];
      points: number;
      values: Record<string, string>;
    }[] = [];
    const shift = input.shifts.get(tool.id);
    if (shift && shift.n >= 2 && shift.affect_change !== null) {
      const points = Math.max(-2, Math.min(2, 4 * shift.affect_change));
      grounds.push({ key: 'personal', points, values: { count: String(shift.n) } });
    }
    if (tool.targetEmotionCodes.includes(emotion.code)) {
      grounds.push({
        key: 'match',
        points: 3,
        values: { emotion: emotion.name[language].toLowerCase() },
      });
    } else {
      const similar = tool.targetEmotionCodes
        .map((code) => input.catalog.byCode(code))
        .find(
          (e) =>
            e && e.category === emotion.category && Math.abs(e.arousal - emotion.arousal) < 0.3,
        );
      if (similar)
        grounds.push({
          key: 'match',
          points: 1,
          values: { emotion: similar.name[language].toLowerCase() },
        });
    }
    if (
      input.intensity >= 7 &&
      URGENT_CATEGORIES.has(tool.category) &&
      tool.estimatedDurationSeconds <= SHORT_SECONDS
    ) {
      grounds.push({ key: 'intense', points: 1, values: {} });
    } else if (input.intensity <= 4 && REFLECTIVE_CATEGORIES.has(tool.category)) {
      grounds.push({ key: 'gentle', points: 0.5, values: {} });
    }
    if (input.favorites.has(tool.id)) grounds.push({ key: 'favorite', points: 1, values: {} });
    const score = grounds.reduce((sum, g) => sum + g.points, 0);
    // The user's own results are the most telling reason; otherwise the strongest ground.
    const personal = grounds.find((g) => g.key === 'personal' && g.points > 0);
    const strongest = personal ?? [...grounds].sort((a, b) => b.points - a.points)[0];
    return { tool, score, strongest };
  });
  const perCategory = new Map<string, number>();
  const items: RecommendationsDto['items'] = [];
  for (const { tool, score, strongest } of scored
    .filter((s) => s.score > 0 && s.strongest && s.strongest.points > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.tool.estimatedDurationSeconds - b.tool.estimatedDurationSeconds ||
        a.tool.id.localeCompare(b.tool.id),
    )) {
    if ((perCategory.get(tool.category) ?? 0) >= MAX_PER_CATEGORY) continue;
    perCategory.set(tool.category, (perCategory.get(tool.category) ?? 0) + 1);
    items.push({
      tool_id: tool.id,
      name: tool.name,
      category: tool.category,
      estimated_duration_seconds: tool.estimatedDurationSeconds,
      score: Number(score.toFixed(2)),
      reason: strongest ? fillTemplate(reasons[strongest.key][language], strongest.values) : '',
    });
    if (items.length >= input.limit) break;
  }
  return items;
}
