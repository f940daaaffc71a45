// Deferred account deletion. DELETE /v1/users/me disables the account at once (every
// session ends, no push goes out) and schedules its purge after the grace period; signing
// in again with restore_account cancels it (auth's sign-in.ts). The purge (the hourly job,
// jobs.ts) deletes every module's data and then the account, one account per transaction,
// re-checked under a row lock; each purge is recorded in the deletion ledger, outside the
// database, so that `reapply-deletions` purges again what a backup restore brought back.
import type { Logger } from 'pino';
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { AccountDeletion } from '../../../platform/account-deletion.ts';
import { notFound } from '../../../platform/errors.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import { localTime } from '../../../platform/mail/render.ts';
import type {
  AccountMailPort,
  AccountsPort,
  AuditPort,
  DevicesPort,
  SessionsPort,
} from '../../auth/index.ts';
import type { DeletionLedger } from './ledger.ts';

export interface DeletionDeps {
  db: Database;
  clock: Clock;
  accounts: AccountsPort;
  devices: Pick<DevicesPort, 'silence'>;
  sessions: SessionsPort;
  mail: AccountMailPort;
  audit: AuditPort;
  /** Every module's deletion step (platform/account-deletion.ts). */
  deletion: AccountDeletion;
  /** Days a deleted account stays restorable (disabled) before it is purged. */
  deletionGraceDays: number;
  /** Purged accounts, outside the database (found again after a backup restore). */
  ledger: DeletionLedger;
  log: Logger;
}

/** One purge run takes the due accounts this many at a time. */
const PURGE_BATCH = 100;

export function createDeletionService(deps: DeletionDeps) {
  const { db, clock, accounts, audit } = deps;

  /**
   * Deletes the account and everything it holds, if it is still awaiting deletion and its
   * grace period is over (a restored account, or one already purged, is left alone):
   * every module's deletion step, then the account row (the rest cascades), in one
   * transaction; stored objects once it committed. Returns whether it purged.
   */
  async function purgeAccount(userId: string): Promise<boolean> {
    const now = clock.now();
    const afterCommit = await db.asSystem(async (tx) => {
      if (!(await accounts.lockDueForPurge(tx, userId, now))) return undefined;
      // Recorded before the commit: a purged account is always in the ledger (if this
      // transaction then fails, the account is purged on the next run anyway).
      await deps.ledger.record(userId, now);
      const work = await deps.deletion.run(tx, userId);
      await accounts.delete(tx, userId);
      // Kept without the user id: the account is gone, the fact that it was deleted is not.
      await audit(tx, null, 'account_deleted', { ip: null, userAgent: null });
      return work;
    });
    if (!afterCommit) return false;
    // Stored objects go once no row points at them; a failure leaves orphans the sweep removes.
    for (const work of afterCommit) {
      await work().catch((error: unknown) =>
        deps.log.warn(
          { err: error },
          'objects of a purged account not deleted; the sweep will retry',
        ),
      );
    }
    return true;
  }

  return {
    /**
     * DELETE /v1/users/me: disables the account at once (every session ends, no push goes
     * out) and schedules its purge after the grace period.
     */
    async deleteAccount(
      caller: AuthContext,
      meta: RequestMeta,
    ): Promise<{ status: 'pending_deletion'; purge_after: string }> {
      const now = clock.now();
      const purgeAfter = new Date(now.getTime() + deps.deletionGraceDays * 86_400_000);
      const sessionIds = await db.asUser(caller.userId, async (tx) => {
        const locale = await accounts.locale(tx, caller.userId);
        if (!locale) throw notFound('user');
        await accounts.scheduleDeletion(tx, caller.userId, purgeAfter, now);
        const ids = await deps.sessions.end(
          tx,
          caller.userId,
          {},
          'account_deletion_requested',
          now,
        );
        await deps.devices.silence(tx, caller.userId);
        await audit(tx, caller.userId, 'account_deletion_requested', meta, {
          purge_after: purgeAfter.toISOString(),
          sessions_revoked: ids.length,
        });
        await deps.mail.send(tx, {
          user_id: caller.userId,
          kind: 'account_deletion_scheduled',
          facts: { purge_date: localTime(purgeAfter, locale.language, locale.timeZone) },
        });
        return ids;
      });
      await deps.sessions.revoke([...sessionIds, caller.sessionId]);
      return { status: 'pending_deletion', purge_after: purgeAfter.toISOString() };
    },

    purgeAccount,

    /**
     * After a database restore: the accounts the deletion ledger says were purged are purged
     * again (the restore brought them back). Idempotent; returns how many were found.
     */
    async reapplyDeletions(): Promise<{ found: number; purged: number }> {
      const purgedBefore = await deps.ledger.names();
      const found: string[] = [];
      let after: string | undefined;
      while (purgedBefore.size > 0) {
        const ids = await db.asSystem((tx) => accounts.idsAfter(tx, after, 1000));
        for (const id of ids) if (purgedBefore.has(deps.ledger.nameOf(id))) found.push(id);
        if (ids.length < 1000) break;
        after = ids.at(-1);
      }
      let purged = 0;
      for (const id of found) {
        await db.asSystem((tx) => accounts.markForPurgeNow(tx, id, clock.now()));
        if (await purgeAccount(id)) purged++;
      }
      return { found: found.length, purged };
    },

    /** Purges every account whose grace period is over; one failure does not stop the others. */
    async purgeDue(): Promise<{ purged: number; failed: number }> {
      const seen: string[] = [];
      let failed = 0;
      let purged = 0;
      for (;;) {
        const due = await db.asSystem((tx) =>
          accounts.dueForPurge(tx, clock.now(), PURGE_BATCH, seen),
        );
        for (const userId of due) {
          seen.push(userId);
          try {
            if (await purgeAccount(userId)) purged++;
          } catch (error) {
            failed++;
            // No user id in the logs (docs/production.md); the runbook finds stuck accounts by SQL.
            deps.log.error({ err: error }, 'an account purge failed; it is retried next run');
          }
        }
        if (due.length < PURGE_BATCH) return { purged, failed };
      }
    },
  };
}

export type DeletionService = ReturnType<typeof createDeletionService>;
