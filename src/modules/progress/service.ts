// The progress service: streaks, achievements, statistics and the calendar, each read in
// one transaction of the user's (row-level security applies) and aggregated in SQL.
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { addDays, localDate } from '../../platform/time.ts';
import type { EmotionCatalog } from '../emotions/index.ts';
import type { UserProfilePort } from '../auth/index.ts';
import { progressOf, type Criteria } from './achievements/catalog.ts';
import * as achievements from './achievements/repository.ts';
import * as repo from './repository.ts';
import { computeStreak, type Streak } from './streaks.ts';
import type {
  AchievementDto,
  CalendarDto,
  PeriodFiguresDto,
  StatisticsDto,
  StreakDto,
} from './schemas.ts';

export type Language = 'es' | 'en';
export type Period = StatisticsDto['period'];

export interface AchievementEarnedEvent {
  userId: string;
  achievementTypeId: number;
  code: string;
  earnedAt: Date;
}

export interface ProgressDeps {
  db: Database;
  clock: Clock;
  profiles: UserProfilePort;
  emotions: () => EmotionCatalog;
  /** Tool names in the user's language (the tools module; empty when it is absent). */
  toolNames: (ids: string[], language: Language) => Promise<Map<string, string>>;
  /** Called in the awarding transaction (the notifications module listens). */
  onEarned: (tx: Tx, event: AchievementEarnedEvent) => Promise<void>;
}

/** Rolling windows of the statistics periods, in local days ending today. */
export const PERIOD_DAYS: Record<Exclude<Period, 'all'>, number> = {
  week: 7,
  month: 30,
  year: 365,
};

export function toStreakDto(streak: Streak): StreakDto {
  return {
    current_streak: streak.current,
    longest_streak: streak.longest,
    last_activity_date: streak.lastActivityDate,
    active_today: streak.activeToday,
    next_milestone: streak.nextMilestone,
    freezes_available: streak.freezesAvailable,
    freeze_used_on: streak.freezesUsedOn,
  };
}

export function createProgressService(deps: ProgressDeps) {
  const { db, clock } = deps;

  async function streakIn(tx: Tx, userId: string): Promise<Streak> {
    const { timeZone } = await deps.profiles.profileIn(tx, userId);
    return computeStreak(await repo.activityRuns(tx, userId), clock.now(), timeZone);
  }

  /** Every achievement with the user's standing on it, in the user's language. */
  async function standingIn(tx: Tx, userId: string) {
    const [{ language }, catalog, earned, metrics, streak] = [
      await deps.profiles.profileIn(tx, userId),
      await achievements.achievementCatalog(tx),
      await achievements.earnedAchievements(tx, userId),
      await repo.metrics(tx, userId),
      await streakIn(tx, userId),
    ];
    const earnedAt = new Map(earned.map((e) => [e.achievementTypeId, e.earnedAt]));
    const items: AchievementDto[] = catalog.map((type) => {
      const criteria = type.criteria as Criteria;
      const at = earnedAt.get(type.id) ?? null;
      const progress = progressOf(criteria, metrics, streak);
      return {
        id: type.id,
        code: type.code,
        icon: type.icon,
        name: language === 'es' ? type.nameEs : type.nameEn,
        description: language === 'es' ? type.descriptionEs : type.descriptionEn,
        criteria: type.criteria,
        earned: at !== null,
        earned_at: at ? at.toISOString() : null,
        // An earned achievement shows as complete even if a streak has since ended.
        progress: at ? { current: progress.target, target: progress.target } : progress,
      };
    });
    return { language, items, streak };
  }

  /**
   * Awards every achievement whose criteria the user now meets. Idempotent, and safe to run
   * concurrently: the unique (user, achievement) key lets exactly one award insert, and
   * only the one that inserted emits the event.
   */
  async function evaluate(tx: Tx, userId: string): Promise<number> {
    const { items } = await standingIn(tx, userId);
    const now = clock.now();
    let awarded = 0;
    for (const item of items) {
      if (item.earned || item.progress.current < item.progress.target) continue;
      if (await achievements.award(tx, userId, item.id, now, { progress: item.progress })) {
        awarded++;
        await deps.onEarned(tx, {
          userId,
          achievementTypeId: item.id,
          code: item.code,
          earnedAt: now,
        });
      }
    }
    return awarded;
  }

  async function figures(
    tx: Tx,
    userId: string,
    from: string | null,
    to: string,
  ): Promise<PeriodFiguresDto> {
    const stats = await repo.periodStats(tx, userId, from, to);
    const tools = await repo.topValues(tx, userId, 'tool_id', from, to, 3);
    const emotions = await repo.topValues(tx, userId, 'emotion_type_id', from, to, 3);
    return {
      from,
      to,
      journals: stats.journals,
      journal_minutes: Math.round(stats.journal_seconds / 60),
      checkins: stats.checkins,
      tools_used: stats.tools_used,
      tools_completed: stats.tools_completed,
      active_days: stats.active_days,
      most_used_tools: tools.map((t) => ({ tool_id: t.value, name: null, count: t.n })),
      most_frequent_emotions: emotions.map((e) => ({
        emotion_type_id: Number(e.value),
        count: e.n,
      })),
    };
  }

  return {
    streakIn,
    standingIn,
    evaluate,

    async streak(caller: AuthContext): Promise<StreakDto> {
      return toStreakDto(await db.asUser(caller.userId, (tx) => streakIn(tx, caller.userId)));
    },

    async achievements(caller: AuthContext) {
      const { language, items } = await db.asUser(caller.userId, (tx) =>
        standingIn(tx, caller.userId),
      );
      return {
        language,
        earned: items
          .filter((i) => i.earned)
          .sort((a, b) => (b.earned_at ?? '').localeCompare(a.earned_at ?? '')),
        locked: items.filter((i) => !i.earned),
      };
    },

    async statistics(caller: AuthContext, period: Period): Promise<StatisticsDto> {
      const { language, current, previous } = await db.asUser(caller.userId, async (tx) => {
        const profile = await deps.profiles.profileIn(tx, caller.userId);
        const today = localDate(clock.now(), profile.timeZone);
        if (period === 'all') {
          return {
            language: profile.language,
            current: await figures(tx, caller.userId, null, today),
            previous: null,
          };
        }
        const days = PERIOD_DAYS[period];
        const from = addDays(today, -(days - 1));
        return {
          language: profile.language,
          current: await figures(tx, caller.userId, from, today),
          previous: await figures(tx, caller.userId, addDays(from, -days), addDays(from, -1)),
        };
      });
      // Names come from the tool library's cache, outside the user's transaction.
      const ids = [...current.most_used_tools, ...(previous?.most_used_tools ?? [])].map(
        (t) => t.tool_id,
      );
      const names = ids.length ? await deps.toolNames(ids, language) : new Map<string, string>();
      for (const figures of [current, previous])
        for (const tool of figures?.most_used_tools ?? [])
          tool.name = names.get(tool.tool_id) ?? null;
      return {
        period,
        current,
        previous,
        change: previous && {
          journals: current.journals - previous.journals,
          journal_minutes: current.journal_minutes - previous.journal_minutes,
          checkins: current.checkins - previous.checkins,
          tools_used: current.tools_used - previous.tools_used,
          active_days: current.active_days - previous.active_days,
        },
      };
    },

    async calendar(caller: AuthContext, year?: number): Promise<CalendarDto> {
      const rows = await db.asUser(caller.userId, async (tx) => {
        const { timeZone } = await deps.profiles.profileIn(tx, caller.userId);
        const chosen = year ?? Number(localDate(clock.now(), timeZone).slice(0, 4));
        return { year: chosen, days: await repo.calendar(tx, caller.userId, chosen) };
      });
      const byDay = new Map(rows.days.map((d) => [d.day, d]));
      const catalog = deps.emotions();
      const days: CalendarDto['days'] = [];
      for (
        let day = `${rows.year}-01-01`;
        day.startsWith(String(rows.year));
        day = addDays(day, 1)
      ) {
        const row = byDay.get(day);
        const emotion = row?.emotion ? catalog.byId(row.emotion) : undefined;
        days.push({
          date: day,
          activity_count: row?.n ?? 0,
          dominant_emotion_type_id: emotion?.id ?? null,
          color: emotion?.color ?? null,
        });
      }
      return { year: rows.year, days };
    },
  };
}

export type ProgressService = ReturnType<typeof createProgressService>;
