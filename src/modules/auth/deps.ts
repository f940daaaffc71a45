// What the auth use cases (registration.ts, sign-in.ts, password-*.ts, reauthentication.ts,
// email-verification.ts, sessions/service.ts) are built from, and the few steps and
// problems more than one of them shares.
import type { Logger } from 'pino';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import type { Limiter } from '../../platform/http/rate-limit.ts';
import type { Jobs, JobDefinition } from '../../platform/jobs/jobs.ts';
import { AppError, conflict, notFound } from '../../platform/errors.ts';
import type { Argon2Params, PasswordHasher } from './passwords.ts';
import type { TokenIssuer, IssuedTokens } from './sessions/tokens.ts';
import type { RevocationStore } from './sessions/revocations.ts';
import type { MfaService } from './mfa/service.ts';
import type { PasswordResetRequestPayload, SendEmailPayload } from './jobs.ts';
import type { DeviceInputDto, TokenPairDto } from './schemas.ts';
import * as repo from './repository.ts';
import { upsertDevice } from './devices/repository.ts';
import { toUserDto } from './dto.ts';

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

/** Emails are stored and compared trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The answer of every sign-in: the user as GET /v1/users/me shows it, and the tokens. */
export async function tokenPair(
  tx: Tx,
  userId: string,
  issued: IssuedTokens,
): Promise<TokenPairDto> {
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
export const deviceRefFor = async (
  tx: Tx,
  userId: string,
  device: DeviceInputDto | undefined,
  now: Date,
) =>
  device
    ? upsertDevice(
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

export const emailTaken = () =>
  conflict('email-taken', 'An account with this email already exists');

export const accountLocked = () =>
  new AppError(403, 'account-locked', 'Account locked', {
    detail: 'This account is locked. Please contact support.',
  });

export function invalidActionToken(): AppError {
  return new AppError(400, 'action-token-invalid', 'Link not valid', {
    detail: 'This link is not valid, was already used or has expired; ask for a new one',
  });
}
