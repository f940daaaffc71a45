// Builds every module in dependency order. Services of all modules are built even when a
// process mounts only some routes (split deployment): they are cheap, and jobs of every
// module may run in any process.
import type { Platform } from '../platform/platform.ts';
import type { AppModule } from './module.ts';
import { createAuthModule, type AuthModule } from './auth/index.ts';
import { createEmotionsModule, type EmotionsModule } from './emotions/index.ts';
import { seedEmotionTypes } from './emotions/catalog.ts';
import { createToolsModule, type ToolsModule } from './tools/index.ts';
import { seedToolContent } from './tools/seed.ts';
import { createJournalsModule, type JournalsModule } from './journals/index.ts';
import { createProgressModule, type ProgressModule } from './progress/index.ts';
import { seedAchievementTypes } from './progress/achievements.ts';
import { createNotificationsModule, type NotificationsModule } from './notifications/index.ts';
import type { Database } from '../platform/db/database.ts';

export interface Modules {
  auth: AuthModule;
  emotions: EmotionsModule;
  tools: ToolsModule;
  journals: JournalsModule;
  progress: ProgressModule;
  notifications: NotificationsModule;
  all: AppModule[];
}

export async function createModules(platform: Platform): Promise<Modules> {
  const auth = await createAuthModule(platform);
  const emotions = await createEmotionsModule(platform, auth);
  const tools = createToolsModule(platform, auth, emotions);
  const journals = await createJournalsModule(platform, auth, emotions);
  const progress = await createProgressModule(platform, { auth, emotions, tools });
  const notifications = await createNotificationsModule(platform, { auth, emotions, progress });
  return {
    auth,
    emotions,
    tools,
    journals,
    progress,
    notifications,
    all: [auth, emotions, journals, tools, progress, notifications],
  };
}

/** The content each module loads from content/, in dependency order. */
const CONTENT_SEEDS: [string, (db: Database) => Promise<number>][] = [
  ['emotion types', seedEmotionTypes],
  ['tools', seedToolContent],
  ['achievements', seedAchievementTypes],
];

/** Loads all content (idempotent: a second run changes nothing); rows inserted or changed, by kind. */
export async function seedContent(db: Database): Promise<Record<string, number>> {
  const report: Record<string, number> = {};
  for (const [name, seed] of CONTENT_SEEDS) report[name] = await seed(db);
  return report;
}
