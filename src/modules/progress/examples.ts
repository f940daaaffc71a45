// Examples of /v1/progress for the OpenAPI document (checked against their schemas by the
// compiler here and by Ajv in test/platform/openapi-examples.test.ts).
import type { Static } from 'typebox';
import { exampleIds } from '../../platform/http/openapi/example-values.ts';
import type { Examples } from '../../platform/http/openapi/operation-docs.ts';
import type { Achievements, AchievementDto, DashboardDto, StreakDto } from './schemas.ts';

const ANXIETY = 14;
const CALM = 2;
const GRATITUDE = 3;

const luciaStreak: StreakDto = {
  current_streak: 9,
  longest_streak: 12,
  last_activity_date: '2026-03-09',
  active_today: true,
  next_milestone: 14,
  freezes_available: 1,
  freeze_used_on: ['2026-03-04'],
};

export const streakExamples: Examples<StreakDto> = {
  lucia: {
    summary: 'Lucía: 9 days in a row, one missed day covered by a freeze',
    value: luciaStreak,
  },
};

const twoWeeks: AchievementDto = {
  id: 6,
  code: 'streak-14',
  icon: 'sunrise',
  name: 'Dos semanas contigo',
  description: 'Catorce días seguidos dedicándote un espacio. Lo que estás construyendo se nota.',
  criteria: { kind: 'streak', days: 14 },
  earned: false,
  earned_at: null,
  progress: { current: 9, target: 14 },
};

const aWeek: AchievementDto = {
  id: 5,
  code: 'streak-7',
  icon: 'sun',
  name: 'Una semana de cuidado',
  description: 'Te diste un momento en Amira siete días seguidos.',
  criteria: { kind: 'streak', days: 7 },
  earned: true,
  earned_at: '2026-03-07T15:02:11.000Z',
  progress: { current: 7, target: 7 },
};

export const achievementsExamples: Examples<Static<typeof Achievements>> = {
  lucia: {
    summary: 'Lucía’s achievements, in Spanish',
    value: { language: 'es', earned: [aWeek], locked: [twoWeeks] },
  },
};

export const dashboardExamples: Examples<DashboardDto> = {
  lucia: {
    summary: 'Lucía’s home screen, in Spanish',
    value: {
      streak: luciaStreak,
      checked_in_today: true,
      recent_emotions: [
        { emotion_type_id: CALM, intensity: 5, created_at: '2026-03-09T14:15:31.000Z' },
        { emotion_type_id: ANXIETY, intensity: 7, created_at: '2026-03-09T14:05:00.000Z' },
      ],
      next_achievements: [twoWeeks],
      recommended_tool: {
        tool_id: exampleIds.boxBreathing,
        name: 'Respiración cuadrada',
        category: 'breathing',
        estimated_duration_seconds: 128,
        reason: 'Te ayudó las últimas 3 veces que sentiste ansiedad',
      },
    },
  },
  emma: {
    summary: 'Emma’s home screen on her first day, in English',
    value: {
      streak: {
        current_streak: 1,
        longest_streak: 1,
        last_activity_date: '2026-03-09',
        active_today: true,
        next_milestone: 3,
        freezes_available: 0,
        freeze_used_on: [],
      },
      checked_in_today: true,
      recent_emotions: [
        { emotion_type_id: GRATITUDE, intensity: 6, created_at: '2026-03-09T21:40:00.000Z' },
      ],
      next_achievements: [
        {
          id: 4,
          code: 'streak-3',
          icon: 'spark',
          name: 'Three days for you',
          description: 'You made time for yourself on Amira three days in a row. Every day counts.',
          criteria: { kind: 'streak', days: 3 },
          earned: false,
          earned_at: null,
          progress: { current: 1, target: 3 },
        },
      ],
      recommended_tool: null,
    },
  },
};
