// The orphan sweep: objects with no row (a crash between the write and the commit, a failed
// delete) are removed once they are an hour old; export bundles once their links expired;
// half-written multipart parts; and quota reservations of uploads a killed process left,
// once expired.
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { ObjectStorage } from '../../platform/storage/storage.ts';
import * as repo from './repository.ts';

const ORPHAN_AGE_MS = 60 * 60 * 1000;
const BATCH = 200;

export interface SweepDeps {
  db: Database;
  clock: Clock;
  storage: ObjectStorage;
  exportLinkTtlSeconds: number;
  log: Logger;
}

export interface SweepResult {
  orphans: number;
  exports: number;
  parts: number;
  reservations: number;
}

export async function sweepOrphanObjects(deps: SweepDeps): Promise<SweepResult> {
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
