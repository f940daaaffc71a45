// Password reset. The request does the same work for every email (two budgets, one sealed
// job: jobs.ts looks the account up and sends the link), so neither its answer nor its time
// says whether the email has an account. The confirmation sets the new password with the
// link's token and ends every session; without a re-wrapped key envelope, journals recorded
// before stay encrypted under the old data key (the old envelope is kept aside).
import { sha256 } from '../../platform/crypto/secrets.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { assertPasswordPolicy } from './passwords.ts';
import { invalidActionToken, normalizeEmail, type AuthServiceDeps } from './deps.ts';
import { sealResetRequest } from './jobs.ts';
import * as repo from './repository.ts';
import * as keysRepo from './keys/repository.ts';
import * as sessionsRepo from './sessions/repository.ts';
import { securityAudit } from './security-events/service.ts';

export function createPasswordReset(deps: AuthServiceDeps) {
  const { db, clock, hasher, revocations, limits } = deps;
  const audit = securityAudit(clock);

  return {
    async requestPasswordReset(emailInput: string, meta: RequestMeta): Promise<void> {
      const email = normalizeEmail(emailInput);
      await limits.resetPerIp.consume(meta.ip ?? 'unknown');
      await limits.resetPerEmail.consume(email);
      // The same work whatever the email: one sealed job, which looks the account up later.
      const payload = sealResetRequest(deps.secrets, email, meta, clock.now());
      await db.asSystem((tx) => deps.jobs.enqueue(tx, deps.passwordResetRequestJob, payload));
    },

    async confirmPasswordReset(
      input: { token: string; new_password: string; key_envelope?: string | undefined },
      meta: RequestMeta,
    ) {
      assertPasswordPolicy(input.new_password, '#/body/new_password');
      const passwordHash = await hasher.hash(input.new_password);
      const now = clock.now();
      const revoked = await db.asSystem(async (tx) => {
        const token = await repo.claimActionToken(tx, sha256(input.token), 'reset_password', now);
        if (!token) return undefined;
        const userId = token.userId;
        await repo.updateUserFields(tx, userId, { passwordHash, passwordChangedAt: now }, now);
        await repo.expireActionTokens(tx, userId, 'reset_password', now);
        const previous = await keysRepo.findEnvelope(tx, userId, 'password');
        if (input.key_envelope) {
          await keysRepo.upsertEnvelope(tx, userId, 'password', input.key_envelope, now);
        } else if (previous) {
          // No longer openable with the password, but not ours to throw away: the old
          // password (if remembered) or the recovery key can still open the data key.
          await keysRepo.upsertEnvelope(tx, userId, 'password_previous', previous, now);
          await keysRepo.deleteEnvelope(tx, userId, 'password');
        }
        const ids = await sessionsRepo.revokeSessions(tx, userId, {}, 'password_reset', now);
        await audit(tx, userId, 'password_reset', meta, {
          sessions_revoked: ids.length,
          key_envelope_replaced: Boolean(input.key_envelope),
        });
        return ids;
      });
      if (!revoked) throw invalidActionToken();
      await revocations.revoke(revoked);
      return {
        status: 'password_reset' as const,
        encrypted_data: input.key_envelope
          ? ('readable' as const)
          : ('unreadable_without_recovery' as const),
        sessions_revoked: revoked.length,
      };
    },
  };
}
