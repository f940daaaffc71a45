// Proving it is you again: the password (checked against a per-user budget) or, with MFA
// on, an authenticator code. A success marks the session; the guard then lets `stepUp`
// routes (export, deletions, email change, MFA changes) through for STEP_UP_TTL_SECONDS.
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { AuthServiceDeps } from './deps.ts';
import * as repo from './repository.ts';
import * as sessionsRepo from './sessions/repository.ts';
import { securityAudit } from './security-events/service.ts';
import type { ReauthenticateInput } from './schemas.ts';

export function createReauthentication(deps: AuthServiceDeps) {
  const { db, clock, hasher, limits } = deps;
  const audit = securityAudit(clock);

  /** Checks the caller's password (rate limited per user); throws 403 when wrong. */
  async function verifyPassword(
    caller: AuthContext,
    password: string,
    meta: RequestMeta,
    pointer: string,
  ): Promise<void> {
    // Taken before the hash is compared: of a burst, only the budget's worth is tried.
    const attempt = await limits.passwordChecksPerUser.attempt(caller.userId);
    const hash = await db.asUser(caller.userId, (tx) => repo.findPasswordHash(tx, caller.userId));
    if (!(await hasher.verify(password, hash))) {
      await db.asUser(caller.userId, (tx) =>
        audit(tx, caller.userId, 'password_check_failed', meta),
      );
      // 403, not 401: the caller is authenticated; a 401 would make clients refresh their token.
      throw new AppError(403, 'password-incorrect', 'Password not correct', {
        detail: 'The password is not correct',
        errors: [{ pointer, message: 'is not correct' }],
      });
    }
    await attempt.refund(); // a right password is not a failure
  }

  /**
   * A fresh proof for sensitive operations: the password, or (MFA on) an authenticator
   * code. Marks the session; the guard lets `stepUp` routes through for a few minutes.
   */
  async function reauthenticate(
    caller: AuthContext,
    input: ReauthenticateInput,
    meta: RequestMeta,
  ) {
    if ((input.password === undefined) === (input.code === undefined)) {
      throw badRequest('Give either your password or an authenticator code', [
        { pointer: '#/body', message: 'exactly one of password or code' },
      ]);
    }
    if (input.password !== undefined) {
      await verifyPassword(caller, input.password, meta, '#/body/password');
    } else if (input.code !== undefined) {
      await deps.mfa.verifyProof(caller.userId, { code: input.code }, meta, '#/body/code');
    }
    const now = clock.now();
    await db.asUser(caller.userId, async (tx) => {
      await sessionsRepo.markReauthenticated(tx, caller.sessionId, now);
      await audit(tx, caller.userId, 'reauthenticated', meta, {
        method: input.password !== undefined ? 'password' : 'totp',
      });
    });
    return {
      reauthenticated_until: new Date(now.getTime() + deps.stepUpTtlSeconds * 1000).toISOString(),
    };
  }

  return { verifyPassword, reauthenticate };
}

export type Reauthentication = ReturnType<typeof createReauthentication>;
