// Achievements: a catalog whose criteria are data (content/achievements.json), evaluated by
// one engine against the user's activity metrics and streak. Adding an achievement is
// adding a line of content, not code.
import { Type, type Static } from 'typebox';
import type { Database } from '../../../platform/db/database.ts';
import { readContent } from '../../../platform/content.ts';
import type { Metrics } from '../repository.ts';
import type { Streak } from '../streaks.ts';
import { upsertAchievementTypes } from './repository.ts';

const N = Type.Integer({ minimum: 1, maximum: 100_000 });
export const Criteria = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('count'),
      activity: Type.Union([
        Type.Literal('checkin'),
        Type.Literal('journal'),
        Type.Literal('tool'),
        Type.Literal('any'),
      ]),
      n: N,
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('streak'), days: N }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('distinct_tools'), n: N }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('distinct_emotions'), n: N }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('journal_minutes'), minutes: N },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('active_days'), n: N }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('tool_categories'), n: N }, { additionalProperties: false }),
]);
export type Criteria = Static<typeof Criteria>;

const Bilingual = Type.Object({
  es: Type.String({ minLength: 1 }),
  en: Type.String({ minLength: 1 }),
});
const AchievementsFile = Type.Array(
  Type.Object({
    code: Type.String({ pattern: '^[a-z0-9-]+$' }),
    icon: Type.String(),
    sort_order: Type.Integer(),
    criteria: Criteria,
    name: Bilingual,
    description: Bilingual,
  }),
  { minItems: 15 },
);

/** Where the user stands on a criterion. */
export function progressOf(
  criteria: Criteria,
  metrics: Metrics,
  streak: Streak,
): { current: number; target: number } {
  switch (criteria.kind) {
    case 'count': {
      const counts = {
        checkin: metrics.checkins,
        journal: metrics.journals,
        tool: metrics.tools,
        any: metrics.any,
      };
      return { current: counts[criteria.activity], target: criteria.n };
    }
    case 'streak':
      return { current: Math.max(streak.longest, streak.current), target: criteria.days };
    case 'distinct_tools':
      return { current: metrics.distinct_tools, target: criteria.n };
    case 'distinct_emotions':
      return { current: metrics.distinct_emotions, target: criteria.n };
    case 'journal_minutes':
      return { current: Math.floor(metrics.journal_seconds / 60), target: criteria.minutes };
    case 'active_days':
      return { current: metrics.active_days, target: criteria.n };
    case 'tool_categories':
      return { current: metrics.tool_categories, target: criteria.n };
  }
}

export async function seedAchievementTypes(db: Database): Promise<number> {
  const items = await readContent(AchievementsFile, 'achievements.json');
  const rows = items.map((item) => ({
    code: item.code,
    icon: item.icon,
    sortOrder: item.sort_order,
    criteria: item.criteria,
    nameEs: item.name.es,
    nameEn: item.name.en,
    descriptionEs: item.description.es,
    descriptionEn: item.description.en,
  }));
  return db.asSystem((tx) => upsertAchievementTypes(tx, rows));
}
