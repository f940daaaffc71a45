// The notifications module: preferences, the inbox, and scheduled and event-driven
// deliveries (reminders, affirmations, achievements) to the inbox and by push.
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import type { AuthModule } from '../auth/index.ts';
import type { EmotionsModule } from '../emotions/index.ts';
import type { ProgressModule } from '../progress/index.ts';
import { registerJobs } from '../../platform/jobs/jobs.ts';
import { createNotificationsService, type NotificationsService } from './service.ts';
import { createDelivery, type DeliverInput, type DeliveryResult } from './delivery.ts';
import { scheduleDue } from './scheduler.ts';
import { notificationsJobs } from './jobs.ts';
import { loadNotificationTexts } from './texts.ts';
import { notificationsRoutes } from './routes.ts';
import { notificationsExport } from './export.ts';

export { notificationsSchedules } from './jobs.ts';
export { notificationsComponents } from './schemas.ts';

export interface NotificationsModule extends AppModule {
  service: NotificationsService;
  /** One run of the per-minute schedule (what the tick job does); returns jobs enqueued. */
  scheduleDue(): Promise<number>;
  /** One delivery (what the delivery job does). */
  deliver(input: DeliverInput): Promise<DeliveryResult>;
}

export async function createNotificationsModule(
  platform: Platform,
  deps: { auth: AuthModule; emotions: EmotionsModule; progress: ProgressModule },
): Promise<NotificationsModule> {
  const { db, clock, jobs, events, log } = platform;
  const { auth, emotions, progress } = deps;
  const { texts, affirmations } = await loadNotificationTexts();
  const delivery = createDelivery({
    db,
    clock,
    log,
    push: platform.push,
    texts,
    affirmations,
    ports: {
      profileIn: (tx, userId) => auth.profileIn(tx, userId),
      pushTargetsIn: (tx, userId) => auth.pushTargetsIn(tx, userId),
      forgetPushToken: (tx, userId, token) => auth.forgetPushToken(tx, userId, token),
      checkedInOrJournaledOn: (tx, userId, day) => progress.checkedInOrJournaledOn(tx, userId, day),
      feelingsSince: (tx, userId, since) => emotions.service.feelingsSince(tx, userId, since),
      achievementText: (tx, code, language) => progress.achievementText(tx, code, language),
    },
  });
  const { deliverJob, declared } = notificationsJobs({
    db,
    clock,
    jobs,
    deliver: (input) => delivery.deliver(input),
  });
  await registerJobs(jobs, declared);

  // An achievement becomes a notification; enqueued in the awarding transaction.
  events.on('progress.achievement-earned', (tx, event) =>
    jobs.enqueue(
      tx,
      deliverJob,
      { user_id: event.userId, kind: 'achievement', key: event.code },
      { singletonKey: `achievement:${event.userId}:${event.code}` },
    ),
  );

  const service = createNotificationsService({ db, clock });
  platform.dataExport.register(notificationsExport);
  return {
    name: 'notifications',
    prefixes: ['/v1/notifications'],
    service,
    scheduleDue: () => scheduleDue({ db, clock, jobs, deliverJob }),
    deliver: (input) => delivery.deliver(input),
    async routes(app) {
      await app.register(notificationsRoutes, { prefix: '/v1/notifications', service });
    },
  };
}
