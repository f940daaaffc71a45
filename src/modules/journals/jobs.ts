// Maintenance of stored recordings:
//  - purge: journals deleted longer ago than the retention window lose their rows, then
//    their objects (rows first: no row ever points at a missing object);
//  - sweep: objects with no row (a crash between the write and the commit, a failed
//    delete) are removed once they are an hour old; export bundles once their links expired;
//    quota reservations of uploads a killed process left, once expired.
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { ObjectStorage } from '../../platform/storage/storage.ts';
import { NoPayload, type JobDefinition } from '../../platform/jobs/jobs.ts';
import * as repo from './repository.ts';

const ORPHAN_AGE_MS = 60 * 60 * 1000;
const BATCH = 200;

export interface MaintenanceDeps {
  db: Database;
  clock: Clock;
  storage: ObjectStorage;
  retentionDays: number;
  exportLinkTtlSeconds: number;
  log: Logger;
}

export async function purgeDeletedJournals(deps: MaintenanceDeps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.retentionDays * 86_400_000);
  let purged = 0;
  for (;;) {
    const batch = await deps.db.asSystem(async (tx) => {
      const expired = await repo.expiredDeleted(tx, before, BATCH);
      await repo.deleteJournalRows(
        tx,
        expired.map((j) => j.id),
      );
      return expired;
    });
    for (const journal of batch) {
      await deps.storage.delete(journal.storagePath).catch((error: unknown) => {
        deps.log.warn(
          { err: error, key: journal.storagePath },
          'purged journal object not deleted; the sweep will retry',
        );
      });
    }
    purged += batch.length;
    if (batch.length < BATCH) return purged;
  }
}

export async function sweepOrphanObjects(
  deps: MaintenanceDeps,
): Promise<{ orphans: number; exports: number; parts: number; reservations: number }> {
  const now = deps.clock.now().getTime();
  const reservations = await deps.db.asSystem((tx) =>
    repo.deleteExpiredReservations(tx, new Date(now)),
  );
  let orphans = 0;
  let candidates: string[] = [];
  const flush = async () => {
    const referenced = await deps.db.asSystem((tx) => repo.referencedPaths(tx, candidates));
    for (const key of candidates) {
      if (referenced.has(key)) continue;
      await deps.storage.delete(key);
      orphans++;
    }
    candidates = [];
  };
  for await (const object of deps.storage.list('journals/')) {
    if (now - object.lastModified.getTime() < ORPHAN_AGE_MS) continue;
    candidates.push(object.key);
    if (candidates.length >= BATCH) await flush();
  }
  await flush();
  let exports = 0;
  const exportAge = deps.exportLinkTtlSeconds * 1000 + ORPHAN_AGE_MS;
  for await (const object of deps.storage.list('exports/')) {
    if (now - object.lastModified.getTime() < exportAge) continue;
    await deps.storage.delete(object.key);
    exports++;
  }
  const parts = (await deps.storage.removeAbandonedParts?.(new Date(now - ORPHAN_AGE_MS))) ?? 0;
  return { orphans, exports, parts, reservations };
}

export function maintenanceJobs(deps: MaintenanceDeps): {
  purge: JobDefinition<typeof NoPayload>;
  sweep: JobDefinition<typeof NoPayload>;
} {
  return {
    purge: {
      name: 'journals.purge-deleted',
      payload: NoPayload,
      retryLimit: 3,
      handler: async () => {
        const purged = await purgeDeletedJournals(deps);
        if (purged) deps.log.info({ purged }, 'deleted journals purged');
      },
    },
    sweep: {
      name: 'journals.sweep-orphans',
      payload: NoPayload,
      retryLimit: 3,
      handler: async () => {
        const result = await sweepOrphanObjects(deps);
        if (result.orphans || result.exports || result.parts || result.reservations)
          deps.log.info(result, 'storage swept');
      },
    },
  };
}
