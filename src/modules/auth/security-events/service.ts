// The account's audit trail (security_events): written in the transaction of the change it
// records (by the use cases of auth and users, and by other modules through AuditPort),
// and read by its owner a page at a time. Never holds passwords, tokens, codes or key
// material.
import type { Clock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { decodeCursor, pageOf } from '../../../platform/http/pagination.ts';
import type { Tx } from '../../../platform/db/database.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import { toSecurityEventDto } from '../dto.ts';
import * as repo from './repository.ts';

/**
 * Adds an entry to a user's audit trail, in `tx`. `userId` null: about an account that no
 * longer exists (its purge). Other modules receive it as the AuditPort.
 */
export type Audit = (
  tx: Tx,
  userId: string | null,
  type: string,
  meta: RequestMeta,
  metadata?: Record<string, unknown>,
) => Promise<void>;

/** Writes one entry in `tx`, at the clock's time. */
export const securityAudit =
  (clock: Pick<Clock, 'now'>): Audit =>
  (tx, userId, type, meta, metadata = {}) =>
    repo.insertSecurityEvent(tx, {
      userId,
      type,
      ip: meta.ip,
      userAgent: meta.userAgent,
      metadata,
      createdAt: clock.now(),
    });

export function createSecurityEventsService(deps: { db: Database }) {
  return {
    /** GET /v1/users/me/security-events: newest first. */
    async list(caller: AuthContext, limit: number, cursor: string | undefined) {
      const after = decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string] | undefined;
      const rows = await deps.db.asUser(caller.userId, (tx) =>
        repo.listSecurityEvents(tx, caller.userId, limit, after),
      );
      return pageOf(rows, limit, toSecurityEventDto, (r) => [r.createdAt.toISOString(), r.id]);
    },
  };
}

export type SecurityEventsService = ReturnType<typeof createSecurityEventsService>;
