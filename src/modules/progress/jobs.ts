// The progress module's jobs. One, not scheduled: evaluating a user's achievements, enqueued
// by the transaction that recorded an activity (activities.ts), so it runs after that commit
// and sees every concurrent write that committed.
import { Type } from 'typebox';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { DeclaredJob, JobDefinition } from '../../platform/jobs/jobs.ts';

export const EvaluatePayload = Type.Object({ user_id: Type.String({ format: 'uuid' }) });
export type EvaluateJob = JobDefinition<typeof EvaluatePayload>;

export function evaluateAchievementsJob(deps: {
  db: Database;
  evaluate: (tx: Tx, userId: string) => Promise<number>;
}): EvaluateJob {
  return {
    name: 'progress.evaluate-achievements',
    payload: EvaluatePayload,
    handler: async ({ user_id }) => {
      await deps.db.asUser(user_id, (tx) => deps.evaluate(tx, user_id));
    },
  };
}

export const progressJobs = (evaluate: EvaluateJob): DeclaredJob[] => [{ definition: evaluate }];
