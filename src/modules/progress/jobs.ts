// The progress module's jobs. One, not scheduled: evaluating a user's achievements, enqueued
// by the transaction that recorded an activity (activities.ts), so it runs after that commit
// and sees every concurrent write that committed. Jobs are handled in batches, each user of
// a batch evaluated once: every job of a batch committed before the fetch, so one
// evaluation that starts after it sees all their activities.
import { Type } from 'typebox';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { DeclaredJob, JobDefinition } from '../../platform/jobs/jobs.ts';

export const EvaluatePayload = Type.Object({ user_id: Type.String({ format: 'uuid' }) });
export type EvaluateJob = JobDefinition<typeof EvaluatePayload>;

/**
 * Jobs fetched at once. A burst of check-ins queues one evaluation per recording
 * transaction; taken a thousand at a time, each user of the batch is evaluated once, so the
 * cost per check-in falls as the burst grows (bench:evaluations: 10,000 check-ins from 100
 * users cost about 100 evaluations per batch of 1,000 instead of 1,000).
 */
export const EVALUATION_BATCH = 1000;
/** Users of a batch evaluated at the same time (each in a transaction of its own). */
const EVALUATIONS_IN_FLIGHT = 4;

export function evaluateAchievementsJob(deps: {
  db: Database;
  evaluate: (tx: Tx, userId: string) => Promise<number>;
  /** Counts evaluations (achievement_evaluations_total). */
  evaluated?: () => void;
}): EvaluateJob {
  const evaluateUser = async (userId: string) => {
    await deps.db.asUser(userId, (tx) => deps.evaluate(tx, userId));
    deps.evaluated?.();
  };
  return {
    name: 'progress.evaluate-achievements',
    payload: EvaluatePayload,
    batchSize: EVALUATION_BATCH,
    handler: ({ user_id }) => evaluateUser(user_id),
    handleBatch: async (payloads) => {
      const users = [...new Set(payloads.map((each) => each.user_id))];
      await Promise.all(
        Array.from({ length: Math.min(EVALUATIONS_IN_FLIGHT, users.length) }, async () => {
          for (let userId = users.pop(); userId !== undefined; userId = users.pop())
            await evaluateUser(userId);
        }),
      );
    },
  };
}

export const progressJobs = (evaluate: EvaluateJob): DeclaredJob[] => [{ definition: evaluate }];
