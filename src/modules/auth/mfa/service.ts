// Optional multi-factor authentication: a TOTP authenticator app, ten single-use recovery
// codes, and the checks sign-in and re-authentication make with them. Every failed code
// counts against a per-user budget, so six digits cannot be guessed.
import { randomBytes } from 'node:crypto';
import type { Database, Tx } from '../../../platform/db/database.ts';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../../platform/clock.ts';
import type { Secrets } from '../../../platform/crypto/secrets.ts';
import type { Limiter } from '../../../platform/http/rate-limit.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { AppError, conflict } from '../../../platform/errors.ts';
import * as repo from '../repository.ts';
import { securityAudit } from '../security-events/service.ts';
import * as mfaRepo from './repository.ts';
import { matchTotp, newTotpSecret, totpUri } from './totp.ts';

const RECOVERY_CODES = 10;
const SEAL_PURPOSE = 'mfa-totp-secret';

export interface MfaServiceDeps {
  db: Database;
  clock: Clock;
  secrets: Secrets;
  /** Wrong codes per user (sign-in, re-authentication and enrolment together). */
  codeFailuresPerUser: Limiter;
  /** Where mfa_code_checks_total is exposed (codes compared, by kind and outcome). */
  metrics?: Registry | undefined;
}

export interface CodeProof {
  code?: string | undefined;
  recovery_code?: string | undefined;
}

const codeIncorrect = (pointer: string) =>
  new AppError(403, 'mfa-code-incorrect', 'Code not correct', {
    detail: 'This code is not correct or was already used; try the newest one from your app',
    errors: [{ pointer, message: 'is not correct' }],
  });

const mfaNotEnabled = () =>
  conflict('mfa-not-enabled', 'Two-step sign-in is not on for this account');

/** Ten groups like `k7m2-x9qp-4t`: easy to copy by hand, 50 bits each. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

export function createMfaService(deps: MfaServiceDeps) {
  const { db, clock, secrets } = deps;
  const hashRecoveryCode = (userId: string, code: string) =>
    secrets.hmac('mfa-recovery-code', `${userId}:${code.replace(/-/g, '').toLowerCase()}`);

  const audit = securityAudit(clock);
  // Every code actually compared, so operators see guessing (and tests count what a burst tried).
  const checks = new Counter({
    name: 'mfa_code_checks_total',
    help: 'Authenticator and recovery codes compared, by kind and outcome (accepted, rejected)',
    labelNames: ['kind', 'outcome'] as const,
    registers: deps.metrics ? [deps.metrics] : [],
  });
  const checked = <T>(kind: 'totp' | 'recovery_code', accepted: T | undefined) => {
    checks.inc({ kind, outcome: accepted === undefined ? 'rejected' : 'accepted' });
    return accepted;
  };

  async function freshRecoveryCodes(tx: Tx, userId: string, now: Date): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await mfaRepo.replaceRecoveryCodes(
      tx,
      userId,
      codes.map((code) => hashRecoveryCode(userId, code)),
      now,
    );
    return codes;
  }

  /**
   * Runs `check` as one guess of the user's code budget: the attempt is taken before the
   * code is looked at (so a burst tries at most the budget's worth), given back when the
   * code was right or when a rule refused the request before any code was compared (an
   * AppError such as mfa-not-enabled), and kept, audited and answered 403 when wrong.
   */
  async function guess<T>(
    userId: string,
    meta: RequestMeta,
    pointer: string,
    check: () => Promise<T | undefined>,
  ): Promise<T> {
    const attempt = await deps.codeFailuresPerUser.attempt(userId);
    let accepted: T | undefined;
    try {
      accepted = await check();
    } catch (error) {
      if (error instanceof AppError) await attempt.refund();
      throw error;
    }
    if (accepted !== undefined) {
      await attempt.refund();
      return accepted;
    }
    await db.asUser(userId, (tx) => audit(tx, userId, 'mfa_code_failed', meta));
    throw codeIncorrect(pointer);
  }

  /**
   * Checks an authenticator code (or, where allowed, a recovery code) of a user whose MFA
   * is on, and uses it up. Throws 403 mfa-code-incorrect, or 429 once too many were wrong.
   */
  async function verifyProof(
    userId: string,
    proof: CodeProof,
    meta: RequestMeta,
    pointer: string,
  ): Promise<'totp' | 'recovery_code'> {
    const now = clock.now();
    return guess(userId, meta, pointer, () =>
      db.asUser(userId, async (tx) => {
        if (proof.recovery_code !== undefined) {
          const used = await mfaRepo.useRecoveryCode(
            tx,
            userId,
            hashRecoveryCode(userId, proof.recovery_code),
            now,
          );
          if (used) await audit(tx, userId, 'mfa_recovery_code_used', meta);
          return checked('recovery_code', used ? ('recovery_code' as const) : undefined);
        }
        const totp = await mfaRepo.findTotp(tx, userId);
        // Not a wrong guess: there is nothing to check the code against (use the password).
        if (!totp?.confirmedAt) throw mfaNotEnabled();
        if (proof.code === undefined) return undefined;
        const secret = secrets.open(SEAL_PURPOSE, totp.secretSealed);
        const step = checked('totp', await matchTotp(secret, proof.code, now, totp.lastUsedStep));
        if (step === undefined) return undefined;
        await mfaRepo.recordUsedStep(tx, userId, step);
        return 'totp' as const;
      }),
    );
  }

  return {
    verifyProof,

    async status(caller: AuthContext) {
      return db.asUser(caller.userId, async (tx) => {
        const totp = await mfaRepo.findTotp(tx, caller.userId);
        return {
          enabled: Boolean(totp?.confirmedAt),
          enabled_at: totp?.confirmedAt?.toISOString() ?? null,
          recovery_codes_left: totp?.confirmedAt
            ? await mfaRepo.countUnusedRecoveryCodes(tx, caller.userId)
            : 0,
        };
      });
    },

    /** A new secret for the authenticator app; MFA is on only once a first code confirms it. */
    async startEnrolment(caller: AuthContext) {
      const secret = newTotpSecret();
      const now = clock.now();
      const email = await db.asUser(caller.userId, async (tx) => {
        if (await mfaRepo.isMfaEnabled(tx, caller.userId)) {
          throw conflict('mfa-already-enabled', 'Two-step sign-in is already on for this account');
        }
        await mfaRepo.putPendingTotp(tx, caller.userId, secrets.seal(SEAL_PURPOSE, secret), now);
        return (await repo.findMailRecipient(tx, caller.userId))?.email ?? caller.userId;
      });
      return { secret, otpauth_uri: totpUri(secret, email) };
    },

    async confirmEnrolment(caller: AuthContext, code: string, meta: RequestMeta) {
      const now = clock.now();
      const codes = await guess(caller.userId, meta, '#/body/code', () =>
        db.asUser(caller.userId, async (tx) => {
          const totp = await mfaRepo.findTotp(tx, caller.userId);
          if (!totp) {
            throw conflict('mfa-not-enrolling', 'Start enrolment first (POST /v1/auth/mfa/totp)');
          }
          if (totp.confirmedAt) {
            throw conflict(
              'mfa-already-enabled',
              'Two-step sign-in is already on for this account',
            );
          }
          const secret = secrets.open(SEAL_PURPOSE, totp.secretSealed);
          const step = checked('totp', await matchTotp(secret, code, now, null));
          if (step === undefined) return undefined;
          await mfaRepo.confirmTotp(tx, caller.userId, step, now);
          const fresh = await freshRecoveryCodes(tx, caller.userId, now);
          await audit(tx, caller.userId, 'mfa_enabled', meta);
          return fresh;
        }),
      );
      return { enabled: true as const, recovery_codes: codes };
    },

    /** Step-up route: the session proved itself in the last minutes. */
    async disable(caller: AuthContext, meta: RequestMeta): Promise<void> {
      await db.asUser(caller.userId, async (tx) => {
        if (!(await mfaRepo.isMfaEnabled(tx, caller.userId))) throw mfaNotEnabled();
        await mfaRepo.deleteMfa(tx, caller.userId);
        await audit(tx, caller.userId, 'mfa_disabled', meta);
      });
    },

    /** Step-up route: replaces every recovery code (the old ones stop working). */
    async regenerateRecoveryCodes(caller: AuthContext, meta: RequestMeta) {
      const now = clock.now();
      const codes = await db.asUser(caller.userId, async (tx) => {
        if (!(await mfaRepo.isMfaEnabled(tx, caller.userId))) throw mfaNotEnabled();
        const fresh = await freshRecoveryCodes(tx, caller.userId, now);
        await audit(tx, caller.userId, 'mfa_recovery_codes_regenerated', meta);
        return fresh;
      });
      return { recovery_codes: codes };
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
