// Activities from the other modules' domain events. Each handler runs inside the
// transaction of the write that caused the event, so an activity exists if and only if
// its check-in, journal or tool session committed; the unique (kind, entity) key makes a
// replayed event a no-op. Achievements are evaluated by a job enqueued in that same
// transaction, which runs after commit and so sees every concurrent write that committed.
import type { Tx } from '../../platform/db/database.ts';
import type { DomainEvents } from '../../platform/events.ts';
import type { Jobs } from '../../platform/jobs/jobs.ts';
import { localDate } from '../../platform/time.ts';
import type { UserProfilePort } from '../auth/index.ts';
import type { EvaluateJob } from './jobs.ts';
import { insertActivity } from './repository.ts';
import type { ActivityMetadata } from './tables.ts';
import { ACTIVITY_TYPE_IDS } from './values.ts';

export interface ActivityInput {
  userId: string;
  kind: keyof typeof ACTIVITY_TYPE_IDS;
  entityId: string;
  occurredAt: Date;
  metadata: ActivityMetadata;
  /** The user's zone, when the event knows it already (saves reading it again). */
  timeZone?: string;
}

export function listenForActivities(deps: {
  events: DomainEvents;
  jobs: Jobs;
  profiles: UserProfilePort;
  /** The job that evaluates a user's achievements (jobs.ts). */
  evaluateJob: EvaluateJob;
}): void {
  const { events, jobs, profiles, evaluateJob } = deps;

  // One evaluation per user per transaction, however many activities it recorded (a batch
  // of 100 check-ins is one job, not 100).
  const evaluationQueued = new WeakMap<Tx, Set<string>>();

  async function record(tx: Tx, input: ActivityInput): Promise<void> {
    // The day is fixed now, in the zone the user is in now: it never moves afterwards.
    const timeZone = input.timeZone ?? (await profiles.profileIn(tx, input.userId)).timeZone;
    // The activity and the evaluation job are sent together (pipelined, one round trip). A
    // replayed event inserts no activity and still queues an evaluation, which finds nothing
    // new: a wasted job on a rare path, against a round trip on every check-in.
    await Promise.all([
      insertActivity(tx, {
        userId: input.userId,
        activityTypeId: ACTIVITY_TYPE_IDS[input.kind],
        relatedEntityId: input.entityId,
        occurredAt: input.occurredAt,
        localDate: localDate(input.occurredAt, timeZone),
        timeZone,
        metadata: input.metadata,
      }),
      queueEvaluation(tx, input.userId),
    ]);
  }

  async function queueEvaluation(tx: Tx, userId: string): Promise<void> {
    const queued = evaluationQueued.get(tx) ?? new Set<string>();
    evaluationQueued.set(tx, queued);
    if (queued.has(userId)) return;
    queued.add(userId);
    await jobs.enqueue(tx, evaluateJob, { user_id: userId });
  }

  events.on('emotions.checkin-recorded', (tx, e) =>
    record(tx, {
      userId: e.userId,
      kind: 'checkin',
      entityId: e.checkinId,
      occurredAt: e.createdAt,
      timeZone: e.timeZone,
      metadata: { emotion_type_id: e.emotionTypeId },
    }),
  );
  events.on('journals.created', (tx, e) =>
    record(tx, {
      userId: e.userId,
      kind: 'journal',
      entityId: e.journalId,
      occurredAt: e.recordedAt,
      metadata: { duration_seconds: e.durationSeconds },
    }),
  );
  events.on('tools.used', (tx, e) =>
    record(tx, {
      userId: e.userId,
      kind: 'tool',
      entityId: e.usageId,
      occurredAt: e.startedAt,
      metadata: {
        tool_id: e.toolId,
        tool_category: e.categoryCode,
        completion_status: e.completionStatus,
      },
    }),
  );
}
