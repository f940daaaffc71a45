// The progress module: activities from the other modules' events, streaks, achievements,
// statistics and the views built on them.
//
// Dependencies, passed at construction: the caller's profile (auth), the emotions module
// (catalog, analytics, recent check-ins: the dashboard) and the tools module's catalog
// port (tool names), so progress is built after both. The other modules reach progress
// only through domain events (activities.ts).
import type { Tx } from '../../platform/db/database.ts';
import { registerJobs } from '../../platform/jobs/jobs.ts';
import { Counter } from 'prom-client';
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import type { EmotionsModule } from '../emotions/index.ts';
import type { ToolsModule } from '../tools/index.ts';
import { listenForActivities } from './activities.ts';
import {
  createProgressService,
  type AchievementEarnedEvent,
  type ProgressService,
} from './service.ts';
import { createOverview, loadProgressTexts, type Overview } from './overview.ts';
import { progressRoutes } from './routes.ts';
import { progressExport } from './export.ts';
import { evaluateAchievementsJob, progressJobs } from './jobs.ts';
import { activeOn, forgetSources } from './repository.ts';
import { achievementByCode } from './achievements/repository.ts';
import { ACTIVITY_TYPE_IDS } from './values.ts';

export { seedAchievementTypes } from './achievements/catalog.ts';
export { progressComponents } from './schemas.ts';

declare module '../../platform/events.ts' {
  interface DomainEventMap {
    'progress.achievement-earned': AchievementEarnedEvent;
  }
}

export interface ProgressModule extends AppModule {
  service: ProgressService;
  overview: Overview;
  /** Awards what the user has earned, in its own transaction (what the job does). */
  evaluate(userId: string): Promise<number>;
  /** Whether the user checked in or journaled on a local date (reminders skip such days). */
  checkedInOrJournaledOn(tx: Tx, userId: string, day: string): Promise<boolean>;
  achievementText(
    tx: Tx,
    code: string,
    language: 'es' | 'en',
  ): Promise<{ name: string; description: string } | undefined>;
}

export async function createProgressModule(
  platform: Platform,
  deps: { auth: AuthModule; emotions: EmotionsModule; tools: ToolsModule },
): Promise<ProgressModule> {
  const { db, clock, events, jobs } = platform;
  const { auth, emotions, tools } = deps;
  const service = createProgressService({
    db,
    clock,
    profiles: auth,
    emotions: emotions.catalog,
    toolNames: (ids, language) => tools.catalogPort.names(ids, language),
    onEarned: (tx, event) => events.emit(tx, 'progress.achievement-earned', event),
  });
  const overview = createOverview({
    db,
    clock,
    profiles: auth,
    progress: service,
    analytics: emotions.analytics,
    recentCheckins: (tx, userId, limit) => emotions.service.recentIn(tx, userId, limit),
    texts: await loadProgressTexts(),
  });
  const evaluations = new Counter({
    name: 'achievement_evaluations_total',
    help: "Evaluations of a user's achievements (one per user per batch of queued jobs)",
    registers: [platform.metrics],
  });
  const evaluateJob = evaluateAchievementsJob({
    db,
    evaluate: service.evaluate,
    evaluated: () => evaluations.inc(),
  });
  await registerJobs(jobs, progressJobs(evaluateJob));
  listenForActivities({ events, jobs, profiles: auth, evaluateJob });
  platform.dataExport.register(progressExport(service.streakIn));
  // Activities and achievements cascade from the user row; nothing else to remove. A
  // deletion by category keeps the days and the earned achievements (docs/progress.md).
  events.on('emotions.checkins-deleted', async (tx, e) => {
    await forgetSources(tx, e.userId, 'checkin');
  });
  events.on('journals.all-deleted', async (tx, e) => {
    await forgetSources(tx, e.userId, 'journal');
  });

  return {
    name: 'progress',
    prefixes: ['/v1/progress'],
    service,
    overview,
    evaluate: (userId) => db.asUser(userId, (tx) => service.evaluate(tx, userId)),
    checkedInOrJournaledOn: (tx, userId, day) =>
      activeOn(tx, userId, day, [ACTIVITY_TYPE_IDS.checkin, ACTIVITY_TYPE_IDS.journal]),
    async achievementText(tx, code, language) {
      const row = await achievementByCode(tx, code);
      if (!row) return undefined;
      return language === 'es'
        ? { name: row.nameEs, description: row.descriptionEs }
        : { name: row.nameEn, description: row.descriptionEn };
    },
    async routes(app) {
      await app.register(progressRoutes, { prefix: '/v1/progress', service, overview });
    },
  };
}
