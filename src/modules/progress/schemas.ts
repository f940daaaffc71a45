// Response schemas of /v1/progress.
import { Type, type Static } from 'typebox';
import { Nullable, StringEnum, Timestamp, Uuid } from '../../platform/http/schemas.ts';

const LocalDate = Type.String({ format: 'date' });

export const Streak = Type.Object(
  {
    current_streak: Type.Integer(),
    longest_streak: Type.Integer(),
    last_activity_date: Nullable(LocalDate),
    active_today: Type.Boolean(),
    next_milestone: Nullable(Type.Integer()),
    freezes_available: Type.Integer({
      description: 'Earned one per 7 consecutive days, at most 2',
    }),
    freeze_used_on: Type.Array(LocalDate, {
      description: 'Missed days of the current streak a freeze covered',
    }),
  },
  { $id: 'Streak', description: 'Days in a row with any activity, in the user’s local days' },
);
export type StreakDto = Static<typeof Streak>;

export const Achievement = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    icon: Type.String(),
    name: Type.String(),
    description: Type.String(),
    criteria: Type.Object({}, { additionalProperties: true }),
    earned: Type.Boolean(),
    earned_at: Nullable(Timestamp()),
    progress: Type.Object({ current: Type.Integer(), target: Type.Integer() }),
  },
  { $id: 'Achievement', description: 'An achievement, earned or with the progress toward it' },
);
export type AchievementDto = Static<typeof Achievement>;
export const Achievements = Type.Object(
  {
    language: StringEnum(['es', 'en']),
    earned: Type.Array(Achievement),
    locked: Type.Array(Achievement),
  },
  { $id: 'AchievementList' },
);

export const PERIODS = ['week', 'month', 'year', 'all'] as const;
export const StatisticsQuery = Type.Object(
  { period: Type.Optional(StringEnum(PERIODS, { default: 'month' })) },
  { additionalProperties: false },
);

const PeriodFigures = Type.Object(
  {
    from: Nullable(LocalDate),
    to: LocalDate,
    journals: Type.Integer(),
    journal_minutes: Type.Integer(),
    checkins: Type.Integer(),
    tools_used: Type.Integer(),
    tools_completed: Type.Integer(),
    active_days: Type.Integer(),
    most_used_tools: Type.Array(
      Type.Object({ tool_id: Uuid(), name: Nullable(Type.String()), count: Type.Integer() }),
    ),
    most_frequent_emotions: Type.Array(
      Type.Object({ emotion_type_id: Type.Integer(), count: Type.Integer() }),
    ),
  },
  { $id: 'PeriodFigures', description: 'What the user did in one period' },
);
export type PeriodFiguresDto = Static<typeof PeriodFigures>;
export const Statistics = Type.Object(
  {
    period: StringEnum(PERIODS),
    current: PeriodFigures,
    previous: Nullable(PeriodFigures),
    change: Nullable(
      Type.Object({
        journals: Type.Integer(),
        journal_minutes: Type.Integer(),
        checkins: Type.Integer(),
        tools_used: Type.Integer(),
        active_days: Type.Integer(),
      }),
    ),
  },
  { $id: 'ProgressStatistics' },
);
export type StatisticsDto = Static<typeof Statistics>;

export const Trends = Type.Object(
  {
    from: LocalDate,
    to: LocalDate,
    emotional: Type.Array(
      Type.Object({
        week: LocalDate,
        checkins: Type.Integer(),
        mean_valence: Nullable(Type.Number()),
        mean_intensity: Nullable(Type.Number()),
      }),
    ),
    emotional_direction: StringEnum(['improving', 'stable', 'declining', 'insufficient_data']),
    activity: Type.Array(
      Type.Object({
        week: LocalDate,
        checkins: Type.Integer(),
        journals: Type.Integer(),
        tools: Type.Integer(),
      }),
    ),
  },
  { $id: 'ProgressTrends' },
);
export type TrendsDto = Static<typeof Trends>;

export const Insights = Type.Object(
  {
    language: StringEnum(['es', 'en']),
    items: Type.Array(
      Type.Object({
        type: StringEnum(['consistency', 'streak', 'journaling', 'helpful_tool']),
        message: Type.String(),
        data: Type.Object({}, { additionalProperties: true }),
      }),
    ),
  },
  { $id: 'ProgressInsights' },
);
export type InsightsDto = Static<typeof Insights>;

export const Dashboard = Type.Object(
  {
    streak: Streak,
    checked_in_today: Type.Boolean(),
    recent_emotions: Type.Array(
      Type.Object({
        emotion_type_id: Type.Integer(),
        intensity: Type.Integer(),
        created_at: Timestamp(),
      }),
    ),
    next_achievements: Type.Array(Achievement),
    recommended_tool: Nullable(
      Type.Object({
        tool_id: Uuid(),
        name: Type.String(),
        category: Type.String(),
        estimated_duration_seconds: Type.Integer(),
        reason: Type.String(),
      }),
    ),
  },
  { $id: 'Dashboard', description: 'Everything the home screen shows' },
);
export type DashboardDto = Static<typeof Dashboard>;

export const CalendarQuery = Type.Object(
  { year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })) },
  { additionalProperties: false },
);
export const Calendar = Type.Object(
  {
    year: Type.Integer(),
    days: Type.Array(
      Type.Object({
        date: LocalDate,
        activity_count: Type.Integer(),
        dominant_emotion_type_id: Nullable(Type.Integer()),
        color: Nullable(Type.String()),
      }),
    ),
  },
  { $id: 'ProgressCalendar' },
);
export type CalendarDto = Static<typeof Calendar>;

/** The shapes of /v1/progress named in the OpenAPI document. */
export const progressComponents = [
  Streak,
  Achievement,
  Achievements,
  PeriodFigures,
  Statistics,
  Trends,
  Insights,
  Dashboard,
  Calendar,
];
