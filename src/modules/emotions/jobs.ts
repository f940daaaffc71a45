// Keeps the monthly check-in partitions ahead of time (last month, which back-dated
// check-ins may still reach, this month and the next three), so that writes never land in
// the default partition in normal operation.
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { JobDefinition } from '../../platform/jobs/jobs.ts';
import { ensurePartitions } from './repository.ts';

const Payload = Type.Object({});

export async function ensureCheckinPartitions(deps: { db: Database; clock: Clock }): Promise<void> {
  const now = deps.clock.now();
  const months = [-1, 0, 1, 2, 3].map((offset) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
      .toISOString()
      .slice(0, 10),
  );
  await deps.db.asSystem((tx) => ensurePartitions(tx, months));
}

export function partitionJob(deps: { db: Database; clock: Clock }): JobDefinition<typeof Payload> {
  return {
    name: 'emotions.ensure-partitions',
    payload: Payload,
    retryLimit: 3,
    handler: () => ensureCheckinPartitions(deps),
  };
}
