// Sessions: one sign-in on one device. Refreshing rotates its refresh token (a reused token
// ends the session), signing out ends it and silences its device, and the owner lists and
// ends their sessions. Every end is written in the database first (the source of truth)
// and then put in the revocation cache, so the guard stops the session's access tokens at
// once on every replica. Also the SessionsPort (ports.ts): other changes that end sessions
// (a removed device, an account lock or deletion) do the same through it.
import type { AuthContext } from '../../../platform/auth/guard.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import { notFound, unauthorized } from '../../../platform/errors.ts';
import { accountLocked, tokenPair, type AuthServiceDeps } from '../deps.ts';
import { toSessionDto } from '../dto.ts';
import type { SessionsPort } from '../ports.ts';
import type { SessionDto, TokenPairDto } from '../schemas.ts';
import { clearPushTokenOfSession } from '../devices/repository.ts';
import { securityAudit } from '../security-events/service.ts';
import * as sessionsRepo from './repository.ts';

export function createSessionsService(
  deps: Pick<AuthServiceDeps, 'db' | 'clock' | 'tokens' | 'revocations'>,
) {
  const { db, clock, tokens, revocations } = deps;
  const audit = securityAudit(clock);

  const port: SessionsPort = {
    end: (tx, userId, filter, reason, now) =>
      sessionsRepo.revokeSessions(tx, userId, filter, reason, now),
    revoke: (sessionIds) => revocations.revoke(sessionIds),
  };

  return {
    ...port,

    async refresh(refreshToken: string, meta: RequestMeta): Promise<TokenPairDto> {
      const now = clock.now();
      const outcome = await db.asSystem(async (tx) => {
        const result = await tokens.rotate(tx, refreshToken, now);
        if (result.kind === 'reused') {
          // Commit the revocation before answering: the whole family is dead from now on.
          await sessionsRepo.revokeSessions(
            tx,
            result.userId,
            { only: result.sessionId },
            'refresh_token_reused',
            now,
          );
          await audit(tx, result.userId, 'refresh_reuse_detected', meta, {
            session_id: result.sessionId,
          });
          return { result };
        }
        if (result.kind !== 'rotated') return { result };
        return { result, pair: await tokenPair(tx, result.userId, result.tokens) };
      });
      switch (outcome.result.kind) {
        case 'rotated':
          if (!outcome.pair) throw new Error('rotation without a token pair');
          return outcome.pair;
        case 'reused':
          await revocations.revoke([outcome.result.sessionId]);
          throw unauthorized(
            'refresh-token-reused',
            'This refresh token was already used; the session has been ended for safety. Sign in again.',
          );
        case 'locked':
          throw accountLocked();
        case 'invalid':
          throw unauthorized(
            'refresh-token-invalid',
            'The refresh token is not valid or has expired; sign in again',
          );
      }
    },

    async logout(caller: AuthContext, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      await db.asUser(caller.userId, async (tx) => {
        await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          { only: caller.sessionId },
          'logout',
          now,
        );
        // A signed-out phone receives no more reminders for this account.
        await clearPushTokenOfSession(tx, caller.userId, caller.sessionId);
        await audit(tx, caller.userId, 'logout', meta, { session_id: caller.sessionId });
      });
      await revocations.revoke([caller.sessionId]);
    },

    async listSessions(caller: AuthContext): Promise<SessionDto[]> {
      const rows = await db.asUser(caller.userId, (tx) =>
        sessionsRepo.listActiveSessions(tx, caller.userId, clock.now()),
      );
      return rows.map((row) => toSessionDto(row, caller.sessionId));
    },

    async revokeSession(caller: AuthContext, sessionId: string, meta: RequestMeta): Promise<void> {
      const now = clock.now();
      const found = await db.asUser(caller.userId, async (tx) => {
        if (!(await sessionsRepo.sessionExists(tx, caller.userId, sessionId))) return false;
        await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          { only: sessionId },
          'revoked_by_user',
          now,
        );
        await audit(tx, caller.userId, 'session_revoked', meta, { session_id: sessionId });
        return true;
      });
      if (!found) throw notFound('session');
      await revocations.revoke([sessionId]);
    },

    async revokeOtherSessions(caller: AuthContext, meta: RequestMeta) {
      const now = clock.now();
      const ids = await db.asUser(caller.userId, async (tx) => {
        const revoked = await sessionsRepo.revokeSessions(
          tx,
          caller.userId,
          { except: caller.sessionId },
          'revoked_by_user',
          now,
        );
        await audit(tx, caller.userId, 'sessions_revoked_others', meta, { count: revoked.length });
        return revoked;
      });
      await revocations.revoke(ids);
      return { revoked: ids.length };
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
