// Authentication rules: registration, refresh, sign-out, re-authentication, password
// reset and change, email verification and sessions (signing in is in sign-in.ts). Plain
// functions over explicit dependencies; no HTTP here (routes.ts translates).
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import { randomToken, sha256 } from '../../platform/crypto/secrets.ts';
import type { Limiter } from '../../platform/http/rate-limit.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import type { Jobs, JobDefinition } from '../../platform/jobs/jobs.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { AppError, badRequest, conflict, notFound, unauthorized } from '../../platform/errors.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { assertPasswordPolicy, type Argon2Params, type PasswordHasher } from './passwords.ts';
import type { TokenIssuer, IssuedTokens } from './tokens.ts';
import type { RevocationStore } from './revocations.ts';
import * as repo from './repository.ts';
import { securityAudit } from './audit.ts';
import * as sessionsRepo from './sessions.repository.ts';
import { clearPushTokenOfSession } from './push-tokens.repository.ts';
import { toSessionDto, toUserDto } from './dto.ts';
import type {
  RegisterInput,
  TokenPairDto,
  SessionDto,
  DeviceInputDto,
  ReauthenticateInput,
} from './schemas.ts';
import {
  sealResetRequest,
  type PasswordResetRequestPayload,
  type SendEmailPayload,
} from './jobs.ts';
import type { MfaService } from './mfa.service.ts';
import { signInAlertFor } from './sign-in-alerts.ts';

export type { RequestMeta };

export interface AuthLimits {
  loginFailuresPerIpEmail: Limiter;
  loginFailuresPerIp: Limiter;
  registerPerIp: Limiter;
  resetPerIp: Limiter;
  resetPerEmail: Limiter;
  verifyResendPerUser: Limiter;
  passwordChecksPerUser: Limiter;
}

export interface AuthServiceDeps {
  db: Database;
  clock: Clock;
  hasher: PasswordHasher;
  secrets: Secrets;
  tokens: TokenIssuer;
  revocations: RevocationStore;
  limits: AuthLimits;
  jobs: Jobs;
  sendEmailJob: JobDefinition<typeof SendEmailPayload>;
  passwordResetRequestJob: JobDefinition<typeof PasswordResetRequestPayload>;
  /** How long a re-authentication unlocks sensitive routes. */
  stepUpTtlSeconds: number;
  mfa: Pick<MfaService, 'verifyProof'>;
  /** Parameters clients use to derive their keys (key-params). */
  clientKdf: Argon2Params;
  log: Logger;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function assertTimeZone(timeZone: string, pointer: string): void {
  if (!isValidTimeZone(timeZone)) {
    throw badRequest(`${timeZone} is not an IANA time zone`, [
      { pointer, message: 'is not an IANA time zone' },
    ]);
  }
}

import { accountLocked, createSignIn } from './sign-in.ts';

export function createAuthService(deps: AuthServiceDeps) {
  const { db, clock, hasher, tokens, revocations, limits } = deps;

  const audit = securityAudit(clock);

  const enqueueEmail = (tx: Tx, payload: SendEmailPayload) =>
    deps.jobs.enqueue(tx, deps.sendEmailJob, payload);

  async function tokenPair(tx: Tx, userId: string, issued: IssuedTokens): Promise<TokenPairDto> {
    const user = await repo.findUserById(tx, userId);
    if (!user) throw notFound('user');
    return {
      user: toUserDto(user),
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      token_type: 'bearer',
      expires_in: issued.expiresIn,
    };
  }

  /** Records the device a sign-in comes from (if the app says) and returns its row id. */
  const deviceRefFor = async (
    tx: Tx,
    userId: string,
    device: DeviceInputDto | undefined,
    now: Date,
  ) =>
    device
      ? repo.upsertDevice(
          tx,
          userId,
          {
            deviceId: device.device_id,
            deviceName: device.device_name ?? null,
            platform: device.platform,
          },
          now,
        )
      : null;

  /** The salt a client derives its keys with; stable and account-independent for unknown emails. */
  function derivedSalt(email: string): string {
    return deps.secrets
      .hmac('kdf-salt', normalizeEmail(email))
      .subarray(0, 16)
      .toString('base64url');
  }

  /** Checks the caller's password (rate limited per user); throws 401 when wrong. */
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

  const signIn = createSignIn(deps, { audit, enqueueEmail, tokenPair, deviceRefFor });

  return {
    verifyPassword,
    reauthenticate,

    async keyParams(email: string) {
      const normalized = normalizeEmail(email);
      const stored = await db.asSystem((tx) => repo.findKeyParamsByEmail(tx, normalized));
      const params = stored ?? {
        salt: derivedSalt(normalized),
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

    async register(input: RegisterInput, meta: RequestMeta): Promise<TokenPairDto> {
      const email = normalizeEmail(input.email);
      await limits.registerPerIp.consume(meta.ip ?? 'unknown');
      assertTimeZone(input.time_zone, '#/body/time_zone');
      assertPasswordPolicy(input.password, '#/body/password', email);
      const passwordHash = await hasher.hash(input.password);
      const userId = randomUUID();
      const now = clock.now();
      try {
        return await db.asUser(userId, async (tx) => {
          await repo.insertUser(
            tx,
            {
              id: userId,
              email,
              passwordHash,
              languagePreference: input.language_preference,
              timeZone: input.time_zone,
              kdfSalt: input.key_params?.salt ?? derivedSalt(email),
              kdfMemoryKib: input.key_params?.memory_kib ?? deps.clientKdf.memoryKib,
              kdfIterations: input.key_params?.iterations ?? deps.clientKdf.iterations,
              kdfParallelism: input.key_params?.parallelism ?? deps.clientKdf.parallelism,
              createdAt: now,
            },
            input.display_name ?? null,
          );
          if (input.key_envelope)
            await repo.upsertEnvelope(tx, userId, 'password', input.key_envelope, now);
          const deviceRef = await deviceRefFor(tx, userId, input.device, now);
          const issued = await tokens.startSession(
            tx,
            { userId, role: 'user', deviceRef, ...meta },
            now,
          );
          // The device that created the account is known from the start (no alert for it).
          await signInAlertFor(tx, deps.secrets, {
            userId,
            alertsOn: false,
            device: input.device,
            meta,
            now,
          });
          await audit(tx, userId, 'register', meta);
          await enqueueEmail(tx, { user_id: userId, kind: 'verify_email' });
          return tokenPair(tx, userId, issued);
        });
      } catch (error) {
        if (isUniqueViolation(error, 'users_email_key')) {
          throw conflict('email-taken', 'An account with this email already exists');
        }
        throw error;
      }
    },

    ...signIn,

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
        const previous = await repo.findEnvelope(tx, userId, 'password');
        if (input.key_envelope) {
          await repo.upsertEnvelope(tx, userId, 'password', input.key_envelope, now);
        } else if (previous) {
          // No longer openable with the password, but not ours to throw away: the old
          // password (if remembered) or the recovery key can still open the data key.
          await repo.upsertEnvelope(tx, userId, 'password_previous', previous, now);
          await repo.deleteEnvelope(tx, userId, 'password');
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
          await enqueueEmail(tx, { user_id: caller.userId, kind: 'verify_email' });
        });
      } catch (error) {
        await attempt.refund();
        throw error;
      }
    },

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
      // The hash and the key envelope change together or not at all: a half-done change
      // would leave the user unable to open their own journals.
      const revoked = await db.asUser(caller.userId, async (tx) => {
        await repo.updateUserFields(
          tx,
          caller.userId,
          { passwordHash, passwordChangedAt: now },
          now,
        );
        await repo.upsertEnvelope(tx, caller.userId, 'password', input.key_envelope, now);
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

    /** Creates the first administrator, or promotes an existing account (CLI). */
    async createAdmin(emailInput: string): Promise<{ created: boolean; password?: string }> {
      const email = normalizeEmail(emailInput);
      const now = clock.now();
      const existing = await db.asSystem((tx) => repo.findCredentialsByEmail(tx, email));
      if (existing) {
        await db.asSystem(async (tx) => {
          await repo.updateUserFields(tx, existing.id, { role: 'admin' }, now);
          await audit(
            tx,
            existing.id,
            'role_changed',
            { ip: null, userAgent: 'cli' },
            { role: 'admin', by: 'cli' },
          );
        });
        return { created: false };
      }
      const password = randomToken(18);
      const userId = randomUUID();
      const passwordHash = await hasher.hash(password);
      await db.asUser(userId, async (tx) => {
        await repo.insertUser(
          tx,
          {
            id: userId,
            email,
            passwordHash,
            languagePreference: 'es',
            timeZone: 'UTC',
            kdfSalt: derivedSalt(email),
            kdfMemoryKib: deps.clientKdf.memoryKib,
            kdfIterations: deps.clientKdf.iterations,
            kdfParallelism: deps.clientKdf.parallelism,
            role: 'admin',
            emailVerified: true,
            createdAt: now,
          },
          null,
        );
        await audit(
          tx,
          userId,
          'register',
          { ip: null, userAgent: 'cli' },
          { role: 'admin', by: 'cli' },
        );
      });
      return { created: true, password };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

function invalidActionToken(): AppError {
  return new AppError(400, 'action-token-invalid', 'Link not valid', {
    detail: 'This link is not valid, was already used or has expired; ask for a new one',
  });
}
