// Views that combine progress with the emotions module's analytics: chart series, insights
// and the home-screen dashboard (one request from a phone on a slow network, not six).
import { Type, type Static } from 'typebox';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { fillTemplate, readContent } from '../../platform/content.ts';
import { addDays, localDate } from '../../platform/time.ts';
import type { AnalyticsService, CheckinDto } from '../emotions/index.ts';
import type { UserProfilePort } from '../auth/index.ts';
import * as repo from './repository.ts';
import { ACTIVITY_TYPE_IDS } from './values.ts';
import { toStreakDto, type ProgressService } from './service.ts';
import type { DashboardDto, InsightsDto, TrendsDto } from './schemas.ts';

/** When an insight may speak: never from too little data. */
export const PROGRESS_RULES = {
  trendWeeks: 12,
  streak: { minDays: 3 },
  /** Consistency and journaling look at the last 30 local days. */
  windowDays: 30,
  consistency: { minActiveDays: 8 },
  journaling: { minJournals: 4 },
  dashboard: { recentCheckins: 5, nextAchievements: 3 },
};

const Bilingual = Type.Object({
  es: Type.String({ minLength: 1 }),
  en: Type.String({ minLength: 1 }),
});
const TextsFile = Type.Object({ consistency: Bilingual, streak: Bilingual, journaling: Bilingual });
export type ProgressTexts = Static<typeof TextsFile>;
export const loadProgressTexts = () => readContent(TextsFile, 'progress_insights.json');

export interface OverviewDeps {
  db: Database;
  clock: Clock;
  profiles: UserProfilePort;
  progress: ProgressService;
  /** The emotions module's analytics (each call is its own transaction). */
  analytics: AnalyticsService;
  recentCheckins: (tx: Tx, userId: string, limit: number) => Promise<CheckinDto[]>;
  texts: ProgressTexts;
}

const RECENT_MS = 7 * 86_400_000;

/** The Monday of the ISO week of a local date. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

export function createOverview(deps: OverviewDeps) {
  const { db, clock, progress } = deps;
  const todayIn = async (tx: Tx, userId: string) => {
    const profile = await deps.profiles.profileIn(tx, userId);
    return { ...profile, today: localDate(clock.now(), profile.timeZone) };
  };

  async function trends(caller: AuthContext): Promise<TrendsDto> {
    const { from, to, weekly } = await db.asUser(caller.userId, async (tx) => {
      const { today } = await todayIn(tx, caller.userId);
      const from = addDays(weekStart(today), -7 * (PROGRESS_RULES.trendWeeks - 1));
      return { from, to: today, weekly: await repo.weeklyActivity(tx, caller.userId, from, today) };
    });
    const emotional = await deps.analytics.trends(caller, { period: 'week', from, to });
    const weeks = Array.from({ length: PROGRESS_RULES.trendWeeks }, (_, i) => addDays(from, 7 * i));
    const count = (week: string, kind: number) =>
      weekly.find((w) => w.week === week && w.kind === kind)?.n ?? 0;
    return {
      from,
      to,
      emotional: weeks.map((week) => {
        const bucket = emotional.buckets.find((b) => b.start === week);
        return {
          week,
          checkins: bucket?.count ?? 0,
          mean_valence: bucket?.mean_valence ?? null,
          mean_intensity: bucket?.mean_intensity ?? null,
        };
      }),
      emotional_direction: emotional.direction.label,
      activity: weeks.map((week) => ({
        week,
        checkins: count(week, ACTIVITY_TYPE_IDS.checkin),
        journals: count(week, ACTIVITY_TYPE_IDS.journal),
        tools: count(week, ACTIVITY_TYPE_IDS.tool),
      })),
    };
  }

  async function insights(caller: AuthContext): Promise<InsightsDto> {
    const { consistency, journaling, windowDays } = PROGRESS_RULES;
    const { language, streak, recent } = await db.asUser(caller.userId, async (tx) => {
      const { language, today } = await todayIn(tx, caller.userId);
      return {
        language,
        streak: await progress.streakIn(tx, caller.userId),
        recent: await repo.periodStats(tx, caller.userId, addDays(today, -(windowDays - 1)), today),
      };
    });
    const texts = deps.texts;
    const items: InsightsDto['items'] = [];
    if (streak.current >= PROGRESS_RULES.streak.minDays) {
      items.push({
        type: 'streak',
        message: fillTemplate(texts.streak[language], {
          current: String(streak.current),
          longest: String(streak.longest),
        }),
        data: { current_streak: streak.current, longest_streak: streak.longest },
      });
    }
    if (recent.active_days >= consistency.minActiveDays) {
      items.push({
        type: 'consistency',
        message: fillTemplate(texts.consistency[language], {
          active: String(recent.active_days),
          days: String(windowDays),
        }),
        data: { active_days: recent.active_days, days: windowDays },
      });
    }
    if (recent.journals >= journaling.minJournals) {
      const minutes = Math.round(recent.journal_seconds / 60);
      items.push({
        type: 'journaling',
        message: fillTemplate(texts.journaling[language], {
          days: String(windowDays),
          count: String(recent.journals),
          minutes: String(minutes),
        }),
        data: { journals: recent.journals, minutes, days: windowDays },
      });
    }
    // "A tool that tends to help" is measured by the emotions module (pre/post shifts).
    const helpful = (await deps.analytics.insights(caller)).items.find(
      (i) => i.type === 'helpful_tool',
    );
    if (helpful) items.push({ type: 'helpful_tool', message: helpful.message, data: helpful.data });
    return { language, items };
  }

  async function dashboard(caller: AuthContext): Promise<DashboardDto> {
    const home = await db.asUser(caller.userId, async (tx) => {
      const { today } = await todayIn(tx, caller.userId);
      const standing = await progress.standingIn(tx, caller.userId);
      const checkedIn = await repo.activeOn(tx, caller.userId, today, [ACTIVITY_TYPE_IDS.checkin]);
      const recent = await deps.recentCheckins(
        tx,
        caller.userId,
        PROGRESS_RULES.dashboard.recentCheckins,
      );
      return { today, standing, checkedIn, recent };
    });
    const next = home.standing.items
      .filter((i) => !i.earned)
      .sort(
        (a, b) => b.progress.current / b.progress.target - a.progress.current / a.progress.target,
      )
      .slice(0, PROGRESS_RULES.dashboard.nextAchievements);
    // A tool for how the user felt last, when that was within the last week.
    const last = home.recent[0];
    const fresh = last && clock.now().getTime() - Date.parse(last.created_at) <= RECENT_MS;
    const recommended = fresh
      ? (
          await deps.analytics.recommendations(caller, {
            emotion_type_id: last.emotion_type_id,
            intensity: last.intensity,
            limit: 1,
          })
        ).items[0]
      : undefined;
    return {
      streak: toStreakDto(home.standing.streak),
      checked_in_today: home.checkedIn,
      recent_emotions: home.recent.map((c) => ({
        emotion_type_id: c.emotion_type_id,
        intensity: c.intensity,
        created_at: c.created_at,
      })),
      next_achievements: next,
      recommended_tool: recommended
        ? {
            tool_id: recommended.tool_id,
            name: recommended.name,
            category: recommended.category,
            estimated_duration_seconds: recommended.estimated_duration_seconds,
            reason: recommended.reason,
          }
        : null,
    };
  }

  return { trends, insights, dashboard };
}

export type Overview = ReturnType<typeof createOverview>;
