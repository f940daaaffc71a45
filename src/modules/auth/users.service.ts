// The signed-in user's own account: profile, devices, key envelopes, audit trail and
// deletion.
import type { Logger } from 'pino';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { conflict, notFound, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { AccountDeletion } from '../../platform/account-deletion.ts';
import type { JobDefinition, Jobs } from '../../platform/jobs/jobs.ts';
import * as repo from './repository.ts';
import { localTime } from '../../platform/mail/render.ts';
import { securityAudit } from './audit.ts';
import * as sessionsRepo from './sessions.repository.ts';
import * as pushRepo from './push-tokens.repository.ts';
import * as deletionRepo from './deletion.repository.ts';
import type { SendEmailPayload } from './jobs.ts';
import type { DeletionLedger } from './deletion-ledger.ts';
import { toDeviceDto, toSecurityEventDto, toUserDto } from './dto.ts';
import type { RevocationStore } from './revocations.ts';
import type { RequestMeta } from './service.ts';
import { assertTimeZone } from './service.ts';
import type { DeviceDto, PushTokenInput, UpdateMeInput, UserDto } from './schemas.ts';

export interface UsersServiceDeps {
  db: Database;
  clock: Clock;
  revocations: RevocationStore;
  deletion: AccountDeletion;
  jobs: Jobs;
  sendEmailJob: JobDefinition<typeof SendEmailPayload>;
  /** Days a deleted account stays restorable (disabled) before it is purged. */
  deletionGraceDays: number;
  /** Purged accounts, outside the database (found again after a backup restore). */
  ledger: DeletionLedger;
  log: Logger;
}

/** One purge run takes the due accounts this many at a time. */
const PURGE_BATCH = 100;

const MAX_ENVELOPES = 10;
/** Changed only together with the password (change-password, reset-password-confirm). */
const PASSWORD_LABEL = 'password';
const MAX_JSON_BYTES = 16 * 1024;

export function createUsersService(deps: UsersServiceDeps) {
  const { db, clock } = deps;

  const audit = securityAudit(clock);

  async function me(tx: Tx, userId: string): Promise<UserDto> {
    const row = await repo.findUserById(tx, userId);
    if (!row) throw notFound('user');
    return toUserDto(row);
  }

  async function listKeyEnvelopes(caller: AuthContext) {
    const rows = await db.asUser(caller.userId, (tx) => repo.listEnvelopes(tx, caller.userId));
    return rows.map((r) => ({
      label: r.label,
      envelope: r.envelope,
      updated_at: r.updatedAt.toISOString(),
    }));
  }

  /**
   * Deletes the account and everything it holds, if it is still awaiting deletion and its
   * grace period is over (a restored account, or one already purged, is left alone):
   * every module's deletion step, then the user row (the rest cascades), in one
   * transaction; stored objects once it committed. Returns whether it purged.
   */
  async function purgeAccount(userId: string): Promise<boolean> {
    const now = clock.now();
    const afterCommit = await db.asSystem(async (tx) => {
      if (!(await deletionRepo.lockDueForPurge(tx, userId, now))) return undefined;
      // Recorded before the commit: a purged account is always in the ledger (if this
      // transaction then fails, the account is purged on the next run anyway).
      await deps.ledger.record(userId, now);
      const work = await deps.deletion.run(tx, userId);
      await deletionRepo.forgetActor(tx, userId);
      await repo.deleteUser(tx, userId);
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
    getMe: (caller: AuthContext) => db.asUser(caller.userId, (tx) => me(tx, caller.userId)),

    async updateMe(caller: AuthContext, input: UpdateMeInput): Promise<UserDto> {
      if (input.time_zone !== undefined) assertTimeZone(input.time_zone, '#/body/time_zone');
      for (const field of ['preferences', 'settings'] as const) {
        const value = input[field];
        if (value && Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) {
          throw unprocessable('too-large', `${field} is larger than 16 KiB`, [
            { pointer: `#/body/${field}`, message: 'too large' },
          ]);
        }
      }
      const now = clock.now();
      return db.asUser(caller.userId, async (tx) => {
        await repo.updateUserFields(
          tx,
          caller.userId,
          {
            ...(input.language_preference ? { languagePreference: input.language_preference } : {}),
            ...(input.time_zone ? { timeZone: input.time_zone } : {}),
            ...(input.sign_in_alerts !== undefined ? { signInAlerts: input.sign_in_alerts } : {}),
          },
          now,
        );
        await repo.updateProfile(
          tx,
          caller.userId,
          {
            ...(input.display_name !== undefined ? { displayName: input.display_name } : {}),
            ...(input.preferences ? { preferences: input.preferences } : {}),
            ...(input.settings ? { settings: input.settings } : {}),
          },
          now,
        );
        return me(tx, caller.userId);
      });
    },

    async listDevices(caller: AuthContext) {
      const rows = await db.asUser(caller.userId, (tx) => repo.listDevices(tx, caller.userId));
      return rows.map(toDeviceDto);
    },

    async deleteDevice(caller: AuthContext, id: string, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      const revoked = await db.asUser(caller.userId, async (tx) => {
        // Signing a device out is part of forgetting it.
        const ids = await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          { deviceRef: id },
          'device_removed',
          now,
        );
        if (!(await repo.deleteDevice(tx, caller.userId, id))) return undefined;
        await audit(tx, caller.userId, 'device_removed', meta, {
          device: id,
          sessions_revoked: ids.length,
        });
        return ids;
      });
      if (!revoked) throw notFound('device');
      await deps.revocations.revoke(revoked);
    },

    /** Registers the device's push token (the device signed in before, with its id). */
    async setPushToken(
      caller: AuthContext,
      deviceId: string,
      input: PushTokenInput,
    ): Promise<DeviceDto> {
      const row = await db.asUser(caller.userId, (tx) =>
        pushRepo.setPushToken(tx, caller.userId, deviceId, input.push_token, input.platform),
      );
      if (!row) throw notFound('device');
      await db.asSystem((tx) => pushRepo.clearTokenElsewhere(tx, input.push_token, row.id));
      return toDeviceDto(row);
    },

    async clearPushToken(caller: AuthContext, deviceId: string): Promise<void> {
      const found = await db.asUser(caller.userId, (tx) =>
        pushRepo.clearPushTokenOfDevice(tx, caller.userId, deviceId),
      );
      if (!found) throw notFound('device');
    },

    listKeyEnvelopes,

    async putKeyEnvelopes(
      caller: AuthContext,
      envelopes: { label: string; envelope: string }[],
      meta: RequestMeta,
    ) {
      const labels = envelopes.map((e) => e.label);
      if (new Set(labels).size !== labels.length) {
        throw unprocessable('duplicate-label', 'Each label may appear once', [
          { pointer: '#/body/envelopes', message: 'duplicate label' },
        ]);
      }
      const now = clock.now();
      await db.asUser(caller.userId, async (tx) => {
        const existing = await repo.listEnvelopes(tx, caller.userId);
        const existingLabels = new Set(existing.map((e) => e.label));
        if (labels.includes(PASSWORD_LABEL) && existingLabels.has(PASSWORD_LABEL)) {
          throw conflict(
            'password-envelope-locked',
            'The password envelope changes only with the password (POST /v1/auth/change-password)',
          );
        }
        const total = new Set([...existingLabels, ...labels]).size;
        if (total > MAX_ENVELOPES) {
          throw unprocessable(
            'too-many-envelopes',
            `At most ${MAX_ENVELOPES} key envelopes per account`,
          );
        }
        for (const { label, envelope } of envelopes)
          await repo.upsertEnvelope(tx, caller.userId, label, envelope, now);
        await audit(tx, caller.userId, 'key_envelopes_updated', meta, { labels });
      });
      return listKeyEnvelopes(caller);
    },

    async listSecurityEvents(caller: AuthContext, limit: number, cursor: string | undefined) {
      const after = decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string] | undefined;
      const rows = await db.asUser(caller.userId, (tx) =>
        repo.listSecurityEvents(tx, caller.userId, limit, after),
      );
      return pageOf(rows, limit, toSecurityEventDto, (r) => [r.createdAt.toISOString(), r.id]);
    },

    /**
     * Disables the account at once (every session ends, no push goes out) and schedules its
     * purge after the grace period; signing in again with restore_account cancels it.
     */
    async deleteAccount(
      caller: AuthContext,
      meta: RequestMeta,
    ): Promise<{ status: 'pending_deletion'; purge_after: string }> {
      const now = clock.now();
      const purgeAfter = new Date(now.getTime() + deps.deletionGraceDays * 86_400_000);
      const sessionIds = await db.asUser(caller.userId, async (tx) => {
        const locale = await repo.findLocale(tx, caller.userId);
        if (!locale) throw notFound('user');
        await repo.updateUserFields(
          tx,
          caller.userId,
          { accountStatus: 'pending_deletion', deletionRequestedAt: now, purgeAfter },
          now,
        );
        const ids = await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          {},
          'account_deletion_requested',
          now,
        );
        await deletionRepo.clearPushTokens(tx, caller.userId);
        await audit(tx, caller.userId, 'account_deletion_requested', meta, {
          purge_after: purgeAfter.toISOString(),
          sessions_revoked: ids.length,
        });
        await deps.jobs.enqueue(tx, deps.sendEmailJob, {
          user_id: caller.userId,
          kind: 'account_deletion_scheduled',
          facts: { purge_date: localTime(purgeAfter, locale.language, locale.timeZone) },
        });
        return ids;
      });
      await deps.revocations.revoke([...sessionIds, caller.sessionId]);
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
        const ids = await db.asSystem((tx) => deletionRepo.userIdsAfter(tx, after, 1000));
        for (const id of ids) if (purgedBefore.has(deps.ledger.nameOf(id))) found.push(id);
        if (ids.length < 1000) break;
        after = ids.at(-1);
      }
      let purged = 0;
      for (const id of found) {
        await db.asSystem((tx) => deletionRepo.markForPurgeNow(tx, id, clock.now()));
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
          deletionRepo.dueForPurge(tx, clock.now(), PURGE_BATCH, seen),
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

export type UsersService = ReturnType<typeof createUsersService>;
