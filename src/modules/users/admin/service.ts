// Administration of accounts (role admin): list, change role, lock and unlock. A lock ends
// every session at once; an account awaiting deletion is its owner's to keep or lose.
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { Role } from '../../../platform/auth/roles.ts';
import { conflict, notFound } from '../../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../../platform/http/pagination.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import type { AccountsPort, AccountSummary, AuditPort, SessionsPort } from '../../auth/index.ts';
import type { AdminUserDto } from './schemas.ts';

const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toAdminUserDto(row: AccountSummary): AdminUserDto {
  return {
    id: row.id,
    email: row.email,
    email_verified: row.emailVerified,
    role: row.role,
    account_status: row.accountStatus,
    created_at: row.createdAt.toISOString(),
    last_login_at: isoOrNull(row.lastLoginAt),
    purge_after: isoOrNull(row.purgeAfter),
  };
}

export function createAdminService(deps: {
  db: Database;
  clock: Clock;
  accounts: Pick<AccountsPort, 'list' | 'find' | 'update'>;
  sessions: SessionsPort;
  audit: AuditPort;
}) {
  const { db, clock, accounts, audit } = deps;
  return {
    async listUsers(
      _admin: AuthContext,
      query: { limit: number; cursor?: string | undefined; email?: string | undefined },
    ) {
      const after = decodeCursor(query.cursor, ['timestamp', 'uuid']) as
        [string, string] | undefined;
      const rows = await db.asSystem((tx) =>
        accounts.list(tx, { limit: query.limit, after, emailPrefix: query.email }),
      );
      return pageOf(rows, query.limit, toAdminUserDto, (r) => [r.createdAt.toISOString(), r.id]);
    },

    async updateUser(
      admin: AuthContext,
      userId: string,
      patch: { role?: Role | undefined; account_status?: 'active' | 'locked' | undefined },
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
        const before = await accounts.find(tx, userId);
        if (!before) return undefined;
        // The owner asked for the deletion: only they may cancel it (by signing in again).
        if (before.accountStatus === 'pending_deletion' && patch.account_status) {
          throw conflict(
            'account-deletion-pending',
            'The owner asked to delete this account; only they can cancel it, by signing in again before purge_after',
          );
        }
        await accounts.update(
          tx,
          userId,
          { role: patch.role, accountStatus: patch.account_status },
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
            revoked = await deps.sessions.end(tx, userId, {}, 'account_locked', now);
        }
        return { row: await accounts.find(tx, userId), revoked };
      });
      if (!result?.row) throw notFound('user');
      await deps.sessions.revoke(result.revoked);
      return toAdminUserDto(result.row);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
