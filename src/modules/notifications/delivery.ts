// Delivering one notification: the job behind every reminder, affirmation and achievement
// notification. Exactly once per (user, kind, key):
//
// 1. In one transaction: decide (preferences, "already active today" for reminders),
//    claim the delivery row (a unique key: of any number of concurrent workers, one
//    inserts), store the inbox item. A skipped delivery is claimed too, so it is decided
//    once.
// 2. After commit: push to the user's devices (unless push is off or it is quiet hours).
// 3. Mark the delivery sent.
//
// The worker that claims a delivery holds a lease on it for the push (LEASE_MS). A worker
// killed after 1 leaves the delivery 'pending'; once the lease runs out, the retried job
// takes it over and does 2 and 3 only (while it is held, a duplicate job fails and
// retries later, so a push in progress is never doubled). A push repeated after a crash
// carries the same collapse id, so the phone replaces the first instead of showing two.
import { Type, type Static } from 'typebox';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { StringEnum } from '../../platform/http/schemas.ts';
import { PushUnavailable, type PushProvider } from '../../platform/push/push.ts';
import { wallClock } from '../../platform/time.ts';
import {
  AFFIRMATION_FEELINGS_DAYS,
  AFFIRMATION_REPEAT_DAYS,
  chooseAffirmation,
  stableIndex,
} from './affirmations.ts';
import { inQuietHours, toPreferencesDto } from './preferences.ts';
import * as repo from './repository.ts';
import { NOTIFICATION_KINDS, type NotificationKind } from './values.ts';
import type { Affirmation, NotificationTexts } from './texts.ts';
import type { PreferencesDto } from './schemas.ts';

export const DeliverPayload = Type.Object({
  user_id: Type.String({ format: 'uuid' }),
  kind: StringEnum(NOTIFICATION_KINDS),
  /** The local date (reminders, affirmations) or the achievement code. */
  key: Type.String({ minLength: 1, maxLength: 100 }),
});
export type DeliverInput = Static<typeof DeliverPayload>;

type Language = 'es' | 'en';

/** What the notifications module needs from the others. */
export interface DeliveryPorts {
  profileIn(tx: Tx, userId: string): Promise<{ timeZone: string; language: Language }>;
  pushTargetsIn(tx: Tx, userId: string): Promise<{ token: string }[]>;
  forgetPushToken(tx: Tx, userId: string, token: string): Promise<void>;
  /** Whether the user checked in or journaled on that local date (progress module). */
  checkedInOrJournaledOn(tx: Tx, userId: string, day: string): Promise<boolean>;
  /** Emotion codes of the user's check-ins since a moment (emotions module). */
  feelingsSince(tx: Tx, userId: string, since: Date): Promise<Set<string>>;
  /** Name and description of an achievement in a language (progress module). */
  achievementText(
    tx: Tx,
    code: string,
    language: Language,
  ): Promise<{ name: string; description: string } | undefined>;
}

export interface DeliveryDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  push: PushProvider;
  ports: DeliveryPorts;
  texts: NotificationTexts;
  affirmations: Affirmation[];
}

export type DeliveryResult = 'sent' | 'stored' | 'skipped' | 'already-done';

interface Composed {
  title: string;
  body: string;
  pushTitle: string;
  pushBody: string;
  data: Record<string, string>;
  affirmationCode?: string;
}

const DAY_MS = 86_400_000;
/** Longer than the provider's worst case (3 attempts of 10 s plus waits). */
export const LEASE_MS = 2 * 60_000;

/** Another worker holds the delivery: the job fails and pg-boss retries it later. */
export class DeliveryInProgress extends Error {
  override name = 'DeliveryInProgress';
}

export function createDelivery(deps: DeliveryDeps) {
  const { db, clock, ports, texts } = deps;

  function enabled(kind: NotificationKind, prefs: PreferencesDto): boolean {
    if (kind === 'reminder') return prefs.reminders_enabled;
    if (kind === 'affirmation') return prefs.affirmations_enabled;
    return prefs.achievement_notifications;
  }

  async function compose(
    tx: Tx,
    input: DeliverInput,
    language: Language,
    now: Date,
  ): Promise<Composed | undefined> {
    const data = { kind: input.kind };
    if (input.kind === 'reminder') {
      const variants = texts.reminder[language];
      const text = variants[stableIndex(`${input.user_id}:${input.key}`, variants.length)]!;
      return { ...text, pushTitle: text.title, pushBody: text.body, data };
    }
    if (input.kind === 'affirmation') {
      const seen = await repo.recentAffirmationCodes(
        tx,
        input.user_id,
        new Date(now.getTime() - AFFIRMATION_REPEAT_DAYS * DAY_MS),
      );
      const feelings = await ports.feelingsSince(
        tx,
        input.user_id,
        new Date(now.getTime() - AFFIRMATION_FEELINGS_DAYS * DAY_MS),
      );
      const chosen = chooseAffirmation(
        deps.affirmations,
        seen,
        feelings,
        `${input.user_id}:${input.key}`,
      );
      const generic = texts.affirmation[language];
      return {
        title: generic.title,
        body: chosen[language],
        pushTitle: generic.title,
        pushBody: generic.body,
        data: { ...data, affirmation: chosen.code },
        affirmationCode: chosen.code,
      };
    }
    const achievement = await ports.achievementText(tx, input.key, language);
    if (!achievement) return undefined;
    const generic = texts.achievement[language];
    return {
      title: generic.title,
      body: `${achievement.name}. ${achievement.description}`,
      pushTitle: generic.title,
      pushBody: generic.body,
      data: { ...data, achievement: input.key },
    };
  }

  /** Step 1, in the user's transaction: returns what to push, or nothing to do. */
  async function prepare(tx: Tx, input: DeliverInput, now: Date) {
    const d = { userId: input.user_id, kind: input.kind, key: input.key };
    const existing = await repo.findDelivery(tx, d);
    if (existing && existing.status !== 'pending') return undefined;
    const prefs = toPreferencesDto(await repo.findPreferences(tx, input.user_id));
    const profile = await ports.profileIn(tx, input.user_id);
    const quiet = inQuietHours(wallClock(now, profile.timeZone).slice(11, 16), prefs.quiet_hours);
    const pushNow = prefs.channels.push && !quiet;
    const generic = input.kind === 'reminder' ? undefined : texts[input.kind][profile.language];
    if (existing) {
      // A previous attempt stored it and did not finish the push: take over once its
      // lease has run out (that worker died); until then, leave it to that worker.
      if (!(await repo.takeOverLease(tx, d, now, new Date(now.getTime() + LEASE_MS)))) {
        throw new DeliveryInProgress(`${input.kind} ${input.key} is being delivered`);
      }
      return {
        d,
        notificationId: existing.notificationId,
        pushNow,
        push: generic,
        language: profile.language,
      };
    }
    const skip = async (reason: string) => {
      await repo.claimDelivery(tx, d, 'skipped', now, { reason });
      return undefined;
    };
    if (!enabled(input.kind, prefs)) return skip('turned-off');
    if (!prefs.channels.push && !prefs.channels.in_app) return skip('no-channel');
    if (
      input.kind === 'reminder' &&
      (await ports.checkedInOrJournaledOn(tx, input.user_id, input.key))
    ) {
      return skip('already-active-today');
    }
    const composed = await compose(tx, input, profile.language, now);
    if (!composed) return skip('unknown-achievement');
    const claimed = await repo.claimDelivery(tx, d, 'pending', now, {
      leaseUntil: new Date(now.getTime() + LEASE_MS),
      ...(composed.affirmationCode ? { affirmationCode: composed.affirmationCode } : {}),
    });
    if (!claimed) return undefined; // another worker got here first
    let notificationId: string | null = null;
    if (prefs.channels.in_app) {
      const row = await repo.insertNotification(tx, {
        userId: input.user_id,
        kind: input.kind,
        title: composed.title,
        body: composed.body,
        data: composed.data,
        createdAt: now,
      });
      notificationId = row.id;
      await repo.updateDelivery(tx, d, { notificationId });
    }
    return {
      d,
      notificationId,
      pushNow,
      push: { title: composed.pushTitle, body: composed.pushBody },
      language: profile.language,
    };
  }

  /** Step 2: every device of the user; dead tokens are forgotten. */
  async function pushToDevices(
    input: DeliverInput,
    message: { title: string; body: string },
    notificationId: string | null,
  ): Promise<number> {
    const targets = await db.asUser(input.user_id, (tx) => ports.pushTargetsIn(tx, input.user_id));
    let sent = 0;
    let unavailable: PushUnavailable | undefined;
    for (const { token } of targets) {
      try {
        const outcome = await deps.push.send({
          token,
          title: message.title,
          body: message.body,
          data: {
            kind: input.kind,
            ...(notificationId ? { notification_id: notificationId } : {}),
          },
          collapseId: `${input.kind}:${input.key}`,
        });
        if (outcome.ok) sent++;
        else
          await db.asUser(input.user_id, (tx) => ports.forgetPushToken(tx, input.user_id, token));
      } catch (error) {
        if (!(error instanceof PushUnavailable)) throw error;
        unavailable = error;
      }
    }
    if (unavailable) throw unavailable; // the job retries; devices already reached get the same collapse id
    return sent;
  }

  async function deliver(input: DeliverInput): Promise<DeliveryResult> {
    const now = clock.now();
    const plan = await db.asUser(input.user_id, (tx) => prepare(tx, input, now));
    if (!plan) {
      const done = await db.asUser(input.user_id, (tx) =>
        repo.findDelivery(tx, { userId: input.user_id, kind: input.kind, key: input.key }),
      );
      return done?.status === 'skipped' ? 'skipped' : 'already-done';
    }
    let pushed = false;
    if (plan.pushNow) {
      const message = plan.push ?? reminderPush(input, plan.language);
      pushed = (await pushToDevices(input, message, plan.notificationId)) > 0;
    }
    await db.asUser(input.user_id, async (tx) => {
      await repo.updateDelivery(tx, plan.d, {
        status: 'sent',
        completedAt: clock.now(),
        leaseUntil: null,
      });
      if (pushed && plan.notificationId)
        await repo.markPushed(tx, input.user_id, plan.notificationId, clock.now());
    });
    return pushed ? 'sent' : 'stored';
  }

  function reminderPush(input: DeliverInput, language: Language) {
    const variants = texts.reminder[language];
    return variants[stableIndex(`${input.user_id}:${input.key}`, variants.length)]!;
  }

  return { deliver };
}

export type Delivery = ReturnType<typeof createDelivery>;
