// Email verification: the link sent at registration (and on request, within a budget)
// confirms the address the account signed up with.
import type { AuthContext } from '../../platform/auth/guard.ts';
import { sha256 } from '../../platform/crypto/secrets.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { invalidActionToken, type AuthServiceDeps } from './deps.ts';
import * as repo from './repository.ts';
import { securityAudit } from './security-events/service.ts';

export function createEmailVerification(deps: AuthServiceDeps) {
  const { db, clock, limits } = deps;
  const audit = securityAudit(clock);

  return {
    async verifyEmail(token: string, meta: RequestMeta) {
      const now = clock.now();
      const verified = await db.asSystem(async (tx) => {
        const claimed = await repo.claimActionToken(tx, sha256(token), 'verify_email', now);
        if (!claimed) return false;
        await repo.updateUserFields(
          tx,
          claimed.userId,
          { emailVerified: true, emailVerifiedAt: now },
          now,
        );
        await audit(tx, claimed.userId, 'email_verified', meta);
        return true;
      });
      if (!verified) throw invalidActionToken();
      return { email_verified: true as const };
    },

    async resendVerification(caller: AuthContext): Promise<void> {
      // Every email sent counts; a request refused before sending (already verified) does not.
      const attempt = await limits.verifyResendPerUser.attempt(caller.userId);
      try {
        await db.asUser(caller.userId, async (tx) => {
          const recipient = await repo.findMailRecipient(tx, caller.userId);
          if (!recipient) throw notFound('user');
          if (recipient.emailVerified)
            throw conflict('email-already-verified', 'This email address is already verified');
          await deps.jobs.enqueue(tx, deps.sendEmailJob, {
            user_id: caller.userId,
            kind: 'verify_email',
          });
        });
      } catch (error) {
        await attempt.refund();
        throw error;
      }
    },
  };
}
