// The account's audit trail (security_events), written in the transaction of the change it
// records. Never holds passwords, tokens, codes or key material.
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { insertSecurityEvent } from './repository.ts';

export type Audit = (
  tx: Tx,
  userId: string | null,
  type: string,
  meta: RequestMeta,
  metadata?: Record<string, unknown>,
) => Promise<void>;

export const securityAudit =
  (clock: Clock): Audit =>
  (tx, userId, type, meta, metadata = {}) =>
    insertSecurityEvent(tx, {
      userId,
      type,
      ip: meta.ip,
      userAgent: meta.userAgent,
      metadata,
      createdAt: clock.now(),
    });
