// Changing the password in a signed-in session: the current password first, then the new
// hash and the re-wrapped key envelope together (a half-done change would leave the user
// unable to open their own journals); outstanding reset links and the other sessions end.
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { badRequest } from '../../platform/errors.ts';
import { assertPasswordPolicy } from './passwords.ts';
import type { AuthServiceDeps } from './deps.ts';
import type { Reauthentication } from './reauthentication.ts';
import * as repo from './repository.ts';
import { upsertEnvelope } from './keys/repository.ts';
import * as sessionsRepo from './sessions/repository.ts';
import { securityAudit } from './security-events/service.ts';

export function createPasswordChange(
  deps: AuthServiceDeps,
  { verifyPassword }: Pick<Reauthentication, 'verifyPassword'>,
) {
  const { db, clock, hasher, revocations } = deps;
  const audit = securityAudit(clock);

  return {
    async changePassword(
      caller: AuthContext,
      input: { current_password: string; new_password: string; key_envelope: string },
      meta: RequestMeta,
    ) {
      await verifyPassword(caller, input.current_password, meta, '#/body/current_password');
      assertPasswordPolicy(input.new_password, '#/body/new_password');
      if (input.new_password === input.current_password) {
        throw badRequest('The new password must differ from the current one', [
          { pointer: '#/body/new_password', message: 'must differ from the current password' },
        ]);
      }
      const passwordHash = await hasher.hash(input.new_password);
      const now = clock.now();
      const revoked = await db.asUser(caller.userId, async (tx) => {
        await repo.updateUserFields(
          tx,
          caller.userId,
          { passwordHash, passwordChangedAt: now },
          now,
        );
        await upsertEnvelope(tx, caller.userId, 'password', input.key_envelope, now);
        await repo.expireActionTokens(tx, caller.userId, 'reset_password', now);
        const ids = await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          { except: caller.sessionId },
          'password_changed',
          now,
        );
        await audit(tx, caller.userId, 'password_changed', meta, {
          other_sessions_revoked: ids.length,
        });
        return ids;
      });
      await revocations.revoke(revoked);
      return { revoked: revoked.length };
    },
  };
}
