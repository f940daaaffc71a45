// The client's key material (see DESIGN.md, end-to-end encryption): the parameters it
// derives its keys with (GET /v1/auth/key-params, the same shape for unknown emails) and
// its wrapped data keys (/v1/users/me/key-envelopes), which the server stores and never
// reads. The password envelope changes only with the password (password-change.ts,
// password-reset.ts).
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Secrets } from '../../../platform/crypto/secrets.ts';
import type { Database } from '../../../platform/db/database.ts';
import { conflict, unprocessable } from '../../../platform/errors.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import type { Argon2Params } from '../passwords.ts';
import { normalizeEmail } from '../deps.ts';
import { securityAudit } from '../security-events/service.ts';
import * as repo from './repository.ts';

const MAX_ENVELOPES = 10;
/** Changed only together with the password (change-password, reset-password-confirm). */
const PASSWORD_LABEL = 'password';

/** The salt a client derives its keys with; stable and account-independent for unknown emails. */
export function derivedSalt(secrets: Secrets, email: string): string {
  return secrets.hmac('kdf-salt', normalizeEmail(email)).subarray(0, 16).toString('base64url');
}

export function createKeysService(deps: {
  db: Database;
  clock: Clock;
  secrets: Secrets;
  /** Parameters new accounts' clients derive their keys with. */
  clientKdf: Argon2Params;
}) {
  const { db, clock } = deps;
  const audit = securityAudit(clock);

  async function listKeyEnvelopes(caller: AuthContext) {
    const rows = await db.asUser(caller.userId, (tx) => repo.listEnvelopes(tx, caller.userId));
    return rows.map((r) => ({
      label: r.label,
      envelope: r.envelope,
      updated_at: r.updatedAt.toISOString(),
    }));
  }

  return {
    async keyParams(email: string) {
      const normalized = normalizeEmail(email);
      const stored = await db.asSystem((tx) => repo.findKeyParamsByEmail(tx, normalized));
      const params = stored ?? {
        salt: derivedSalt(deps.secrets, normalized),
        memoryKib: deps.clientKdf.memoryKib,
        iterations: deps.clientKdf.iterations,
        parallelism: deps.clientKdf.parallelism,
      };
      return {
        kdf: 'argon2id' as const,
        salt: params.salt,
        memory_kib: params.memoryKib,
        iterations: params.iterations,
        parallelism: params.parallelism,
      };
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
  };
}

export type KeysService = ReturnType<typeof createKeysService>;
