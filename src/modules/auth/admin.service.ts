// Administration of accounts (role admin): list, change role, lock and unlock.
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Role } from '../../platform/auth/roles.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import * as repo from './repository.ts';
import { securityAudit } from './audit.ts';
import * as sessionsRepo from './sessions.repository.ts';
import { toAdminUserDto } from './dto.ts';
import type { RevocationStore } from './revocations.ts';
import type { RequestMeta } from './service.ts';
import type { AccountStatus } from './tables.ts';

export function createAdminService(deps: {
  db: Database;
  clock: Clock;
  revocations: RevocationStore;
}) {
  const { db, clock } = deps;
  const audit = securityAudit(clock);
  return {
    async listUsers(
      _admin: AuthContext,
      query: { limit: number; cursor?: string | undefined; email?: string | undefined },
    ) {
      const after = decodeCursor(query.cursor, ['timestamp', 'uuid']) as
        [string, string] | undefined;
      const rows = await db.asSystem((tx) =>
        repo.listUsers(tx, { limit: query.limit, after, emailPrefix: query.email }),
      );
      return pageOf(rows, query.limit, toAdminUserDto, (r) => [r.createdAt.toISOString(), r.id]);
    },

    async updateUser(
      admin: AuthContext,
      userId: string,
      patch: {
        role?: Role | undefined;
        account_status?: Exclude<AccountStatus, 'pending_deletion'> | undefined;
      },
      meta: RequestMeta,
    ) {
      if (
        userId === admin.userId &&
        (patch.account_status === 'locked' || (patch.role && patch.role !== 'admin'))
      ) {
        throw conflict('self-demotion', 'Administrators cannot lock or demote themselves');
      }
      const now = clock.now();
      const result = await db.asSystem(async (tx) => {
        const before = await repo.findAccountById(tx, userId);
        if (!before) return undefined;
        // The owner asked for the deletion: only they may cancel it (by signing in again).
        if (before.accountStatus === 'pending_deletion' && patch.account_status) {
          throw conflict(
            'account-deletion-pending',
            'The owner asked to delete this account; only they can cancel it, by signing in again before purge_after',
          );
        }
        await repo.updateUserFields(
          tx,
          userId,
          {
            ...(patch.role ? { role: patch.role } : {}),
            ...(patch.account_status ? { accountStatus: patch.account_status } : {}),
          },
          now,
        );
        const event = (type: string, metadata: Record<string, unknown>) =>
          audit(tx, userId, type, meta, { ...metadata, by: admin.userId });
        if (patch.role && patch.role !== before.role)
          await event('role_changed', { from: before.role, to: patch.role });
        let revoked: string[] = [];
        if (patch.account_status && patch.account_status !== before.accountStatus) {
          await event('status_changed', { from: before.accountStatus, to: patch.account_status });
          // A lock takes effect at once: every session ends and no refresh is accepted.
          if (patch.account_status === 'locked')
            revoked = await sessionsRepo.revokeSessions(tx, userId, {}, 'account_locked', now);
        }
        return { row: await repo.findAccountById(tx, userId), revoked };
      });
      if (!result?.row) throw notFound('user');
      await deps.revocations.revoke(result.revoked);
      return toAdminUserDto(result.row);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
