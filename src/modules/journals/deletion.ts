// A journal's end: deleted into the trash (restorable for the retention window), restored,
// or all of a user's at once; purged for good once the window is over (the purge job); and
// the stored objects removed once no row points at them.
import type { Logger } from 'pino';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { forgetDeletedResults } from '../../platform/idempotency/idempotency.ts';
import type { ObjectStorage } from '../../platform/storage/storage.ts';
import { exportKeyOf } from './export-links.ts';
import * as repo from './repository.ts';
import { revokeSharesOfJournal } from './shares/repository.ts';
import type { JournalDetailDto } from './schemas.ts';
import type { JournalsServiceDeps } from './service.ts';

const DAY_MS = 86_400_000;
const PURGE_BATCH = 200;

export function createJournalDeletion(
  deps: JournalsServiceDeps,
  get: (caller: AuthContext, id: string) => Promise<JournalDetailDto>,
) {
  const { db, clock, storage, settings } = deps;

  async function remove(caller: AuthContext, id: string, meta: RequestMeta) {
    const now = clock.now();
    const row = await db.asUser(caller.userId, async (tx) => {
      const deleted = await repo.setDeleted(tx, caller.userId, id, true, now);
      // Its share links die with it; a restore does not bring them back.
      const revoked = deleted ? await revokeSharesOfJournal(tx, caller.userId, id, now) : 0;
      if (revoked > 0) {
        await deps.audit(tx, caller.userId, 'journal_shares_revoked', meta, {
          journal_id: id,
          count: revoked,
        });
      }
      return deleted;
    });
    if (!row) throw notFound('journal');
    return {
      id,
      deleted_at: now.toISOString(),
      restorable_until: new Date(now.getTime() + settings.retentionDays * DAY_MS).toISOString(),
    };
  }

  async function restore(caller: AuthContext, id: string): Promise<JournalDetailDto> {
    const now = clock.now();
    const restored = await db.asUser(caller.userId, async (tx) => {
      const row = await repo.findJournal(tx, caller.userId, id, { includeDeleted: true });
      if (!row?.isDeleted || !row.deletedAt) return false;
      if (row.deletedAt.getTime() + settings.retentionDays * DAY_MS <= now.getTime()) return false;
      return Boolean(await repo.setDeleted(tx, caller.userId, id, false, now));
    });
    if (!restored) throw notFound('deleted journal');
    return get(caller, id);
  }

  /**
   * Once no row points at them: the recordings' objects, and the user's export bundles (so
   * every export link stops working). A failure leaves orphans that the sweep removes.
   */
  async function deleteStoredObjects(userId: string, paths: string[]): Promise<void> {
    for (const path of paths) await storage.delete(path);
    for await (const object of storage.list(`${exportKeyOf(userId, '').replace(/\.zip$/, '')}`))
      await storage.delete(object.key);
  }

  /**
   * DELETE /v1/journals: every journal of the caller, those in the trash included, at once
   * (no restore), then their stored objects and export bundles. The check-ins recorded
   * around them stay (they belong to the emotions history) without the link. Audited.
   */
  async function removeAll(caller: AuthContext, meta: RequestMeta): Promise<{ deleted: number }> {
    const removed = await db.asUser(caller.userId, async (tx) => {
      const rows = await repo.deleteAllJournals(tx, caller.userId);
      await forgetDeletedResults(
        tx,
        caller.userId,
        rows.map((r) => r.id),
      );
      await deps.onAllDeleted(tx, { userId: caller.userId, count: rows.length });
      await deps.audit(tx, caller.userId, 'journals_deleted', meta, { count: rows.length });
      return rows;
    });
    await deleteStoredObjects(
      caller.userId,
      removed.map((r) => r.storagePath),
    ).catch((error: unknown) =>
      deps.log.warn(
        { err: error },
        'objects of deleted journals not deleted; the sweep will retry',
      ),
    );
    return { deleted: removed.length };
  }

  return { remove, restore, removeAll, deleteStoredObjects };
}

export interface PurgeDeps {
  db: Database;
  clock: Clock;
  storage: ObjectStorage;
  retentionDays: number;
  log: Logger;
}

/**
 * Journals deleted longer ago than the retention window lose their rows, then their
 * objects (rows first: no row ever points at a missing object). Across users, in batches.
 */
export async function purgeDeletedJournals(deps: PurgeDeps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - deps.retentionDays * DAY_MS);
  let purged = 0;
  for (;;) {
    const batch = await deps.db.asSystem(async (tx) => {
      const expired = await repo.expiredDeleted(tx, before, PURGE_BATCH);
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
    if (batch.length < PURGE_BATCH) return purged;
  }
}
