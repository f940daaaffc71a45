// The composition root: builds every module in dependency order and hands each the ports
// it uses of the modules built before it (the one place that wires modules). Services of
// all modules are built even when a process mounts only some routes (split deployment):
// they are cheap, and jobs of every module may run in any process.
//
// auth comes first and needs no other module; users receives auth's account ports (its
// data export and deletion step register right after auth's, so the account's files come
// first in an export and the order of deletion steps is unchanged).
import type { Platform } from '../platform/platform.ts';
import type { AppModule } from './module.ts';
import { authComponents, createAuthModule, type AuthModule } from './auth/index.ts';
import { createUsersModule, usersComponents, type UsersModule } from './users/index.ts';
import {
  createEmotionCatalog,
  createEmotionsModule,
  emotionsComponents,
  seedEmotionTypes,
  type EmotionsModule,
} from './emotions/index.ts';
import {
  createToolLibrary,
  createToolsModule,
  seedToolContent,
  toolsComponents,
  type ToolsModule,
} from './tools/index.ts';
import {
  createJournalsModule,
  journalOwnership,
  journalsComponents,
  type JournalsModule,
} from './journals/index.ts';
import {
  createProgressModule,
  progressComponents,
  seedAchievementTypes,
  type ProgressModule,
} from './progress/index.ts';
import {
  createNotificationsModule,
  notificationsComponents,
  type NotificationsModule,
} from './notifications/index.ts';
import { createSupportModule, supportComponents, type SupportModule } from './support/index.ts';
import type { Database } from '../platform/db/database.ts';

export interface Modules {
  auth: AuthModule;
  users: UsersModule;
  emotions: EmotionsModule;
  tools: ToolsModule;
  journals: JournalsModule;
  progress: ProgressModule;
  notifications: NotificationsModule;
  support: SupportModule;
  all: AppModule[];
}

export async function createModules(platform: Platform): Promise<Modules> {
  const auth = await createAuthModule(platform);
  const users = await createUsersModule(platform, {
    accounts: auth.accounts,
    devices: auth.devices,
    sessions: auth.sessions,
    mail: auth.mail,
    audit: auth.recordSecurityEvent,
  });
  // Emotions and tools name each other, and so do emotions and journals: the two content
  // catalogs are built first (the emotion catalog, loaded when emotions starts; the tool
  // library's cache and catalog port), and journal ownership is a query that needs nothing
  // built. No module is bound after construction (docs/architecture.md, module map).
  const emotionCatalog = createEmotionCatalog(platform.db);
  const toolLibrary = createToolLibrary(platform);
  const emotions = await createEmotionsModule(platform, {
    auth,
    catalog: emotionCatalog,
    tools: toolLibrary.catalogPort,
    journals: journalOwnership,
  });
  const tools = createToolsModule(platform, {
    auth,
    emotionCatalog: emotionCatalog.current,
    library: toolLibrary,
  });
  const journals = await createJournalsModule(platform, { auth, emotions });
  const progress = await createProgressModule(platform, { auth, emotions, tools });
  const notifications = await createNotificationsModule(platform, { auth, emotions, progress });
  const support = await createSupportModule();
  return {
    auth,
    users,
    emotions,
    tools,
    journals,
    progress,
    notifications,
    support,
    all: [auth, users, emotions, journals, tools, progress, notifications, support],
  };
}

/**
 * The shapes every module names in the OpenAPI document (components.schemas). All of them
 * are registered whichever modules a process mounts: a journal embeds check-ins, users
 * answer with auth's User.
 */
export const moduleComponents = [
  ...authComponents,
  ...usersComponents,
  ...emotionsComponents,
  ...toolsComponents,
  ...journalsComponents,
  ...progressComponents,
  ...notificationsComponents,
  ...supportComponents,
];

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
