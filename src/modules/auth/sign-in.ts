// Signing in: the password, then (two-step sign-in on) an authenticator or recovery code
// against a short-lived challenge; an account awaiting deletion comes back only when its
// owner asks; every sign-in records its device and may alert the owner of a new one.
import { randomToken, sha256 } from '../../platform/crypto/secrets.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { attemptAll } from '../../platform/http/rate-limit.ts';
import { AppError, badRequest, unauthorized } from '../../platform/errors.ts';
import type { Role } from '../../platform/auth/roles.ts';
import * as repo from './repository.ts';
import * as mfaRepo from './mfa/repository.ts';
import { securityAudit } from './security-events/service.ts';
import type { AccountStatus } from './values.ts';
import { signInAlertFor } from './sign-in-alerts.ts';
import {
  accountLocked,
  deviceRefFor,
  normalizeEmail,
  tokenPair,
  type AuthServiceDeps,
} from './deps.ts';
import type {
  DeviceInputDto,
  LoginInput,
  LoginMfaInput,
  MfaChallengeDto,
  TokenPairDto,
} from './schemas.ts';

/** What a sign-in asked for, carried across the MFA step. */
interface SignInAttempt {
  device: DeviceInputDto | undefined;
  restore: boolean;
  /** The password's new hash when the stored one uses old parameters. */
  newHash: string | undefined;
}

const MFA_CHALLENGE_SECONDS = 300;
const MFA_CHALLENGE_ATTEMPTS = 5;

const mfaChallengeInvalid = () =>
  unauthorized(
    'mfa-challenge-invalid',
    'This sign-in step has expired or was already used; sign in again with your password',
  );

const invalidCredentials = () =>
  unauthorized('invalid-credentials', 'The email or password is not correct');

export function createSignIn(deps: AuthServiceDeps) {
  const { db, clock, hasher, tokens, limits } = deps;
  const audit = securityAudit(clock);

  /** Locked accounts stay out; an account awaiting deletion comes back only if asked to. */
  async function assertMaySignIn(
    account: { id: string; accountStatus: AccountStatus; purgeAfter: Date | null },
    restore: boolean,
    meta: RequestMeta,
  ): Promise<void> {
    if (account.accountStatus === 'locked') {
      await db.asSystem((tx) => audit(tx, account.id, 'login_refused_locked', meta));
      throw accountLocked();
    }
    if (account.accountStatus === 'pending_deletion' && !restore) {
      throw new AppError(409, 'account-deletion-pending', 'Account scheduled for deletion', {
        detail:
          `This account will be deleted on ${account.purgeAfter?.toISOString() ?? 'soon'}. ` +
          'To keep it, sign in again with restore_account: true.',
      });
    }
  }

  /** Everything after the proofs: restore, session, device, audit and the sign-in alert. */
  async function finishSignIn(
    account: { id: string; role: Role; accountStatus: AccountStatus },
    attempt: SignInAttempt,
    meta: RequestMeta,
  ): Promise<TokenPairDto> {
    const now = clock.now();
    return db.asUser(account.id, async (tx) => {
      if (account.accountStatus === 'pending_deletion' && attempt.restore) {
        await repo.updateUserFields(
          tx,
          account.id,
          { accountStatus: 'active', deletionRequestedAt: null, purgeAfter: null },
          now,
        );
        await audit(tx, account.id, 'account_deletion_cancelled', meta);
      }
      const present = await repo.updateUserFields(
        tx,
        account.id,
        { lastLoginAt: now, ...(attempt.newHash ? { passwordHash: attempt.newHash } : {}) },
        now,
      );
      // Purged between the password check and now (the grace period ended meanwhile).
      if (!present) throw invalidCredentials();
      const deviceRef = await deviceRefFor(tx, account.id, attempt.device, now);
      const issued = await tokens.startSession(
        tx,
        { userId: account.id, role: account.role, deviceRef, ...meta },
        now,
      );
      await audit(
        tx,
        account.id,
        'login_succeeded',
        meta,
        attempt.newHash ? { password_hash_upgraded: true } : {},
      );
      const pair = await tokenPair(tx, account.id, issued);
      const alert = await signInAlertFor(tx, deps.secrets, {
        userId: account.id,
        alertsOn: pair.user.sign_in_alerts,
        device: attempt.device,
        meta,
        now,
      });
      if (alert) {
        await deps.jobs.enqueue(tx, deps.sendEmailJob, {
          user_id: account.id,
          kind: 'sign_in_alert',
          facts: alert,
        });
      }
      return pair;
    });
  }

  return {
    async login(input: LoginInput, meta: RequestMeta): Promise<TokenPairDto | MfaChallengeDto> {
      const email = normalizeEmail(input.email);
      const ipKey = meta.ip ?? 'unknown';
      const pairKey = `${ipKey}|${email}`;
      // Taken before the password is checked: of a burst, only the budget's worth is tried.
      const attempt = await attemptAll([
        [limits.loginFailuresPerIpEmail, pairKey],
        [limits.loginFailuresPerIp, ipKey],
      ]);
      let account: Awaited<ReturnType<typeof repo.findCredentialsByEmail>>;
      try {
        account = await db.asSystem((tx) => repo.findCredentialsByEmail(tx, email));
      } catch (error) {
        await attempt.refund(); // nothing was tried
        throw error;
      }
      // Unknown emails verify against a dummy hash: same work, same answer, about the same time.
      const valid = await hasher.verify(input.password, account?.passwordHash);
      if (!valid || !account) {
        await db.asSystem((tx) => audit(tx, account?.id ?? null, 'login_failed', meta));
        throw invalidCredentials();
      }
      // The right password is not a failure: its attempt goes back to both budgets.
      await attempt.refund();
      const restore = input.restore_account === true;
      await assertMaySignIn(account, restore, meta);
      if (account.mfaEnabled) {
        // The password was right; the authenticator code is still due. Nothing is signed in yet.
        const token = randomToken(32);
        await db.asUser(account.id, async (tx) => {
          await mfaRepo.insertChallenge(tx, {
            userId: account.id,
            tokenHash: sha256(token),
            login: { device: input.device ?? null, restore },
            expiresAt: new Date(clock.now().getTime() + MFA_CHALLENGE_SECONDS * 1000),
            createdAt: clock.now(),
          });
          await audit(tx, account.id, 'login_mfa_challenged', meta);
        });
        return { mfa_required: true, mfa_token: token, expires_in: MFA_CHALLENGE_SECONDS };
      }
      // A hash with old parameters is upgraded here, never with MFA on (see loginWithMfa).
      const newHash = hasher.needsRehash(account.passwordHash)
        ? await hasher.hash(input.password)
        : undefined;
      return finishSignIn(account, { device: input.device, restore, newHash }, meta);
    },

    /** Second step of a sign-in with MFA: the challenge token and a code (or recovery code). */
    async loginWithMfa(input: LoginMfaInput, meta: RequestMeta): Promise<TokenPairDto> {
      if ((input.code === undefined) === (input.recovery_code === undefined)) {
        throw badRequest('Give either an authenticator code or a recovery code', [
          { pointer: '#/body', message: 'exactly one of code or recovery_code' },
        ]);
      }
      const now = clock.now();
      // The attempt is claimed in the row before the code is checked: of any number of
      // concurrent codes, at most MFA_CHALLENGE_ATTEMPTS are ever tried against a challenge.
      const challenge = await db.asSystem((tx) =>
        mfaRepo.claimChallengeAttempt(tx, sha256(input.mfa_token), now, MFA_CHALLENGE_ATTEMPTS),
      );
      if (!challenge) throw mfaChallengeInvalid();
      await deps.mfa.verifyProof(challenge.userId, input, meta, '#/body');
      const account = await db.asSystem(async (tx) => {
        // Single use: of two requests racing with one token, one signs in.
        const closed = await mfaRepo.closeChallenge(tx, challenge.id, now);
        return closed ? repo.findSignInAccount(tx, challenge.userId) : undefined;
      });
      if (!account) throw mfaChallengeInvalid();
      const login = challenge.login as { device?: DeviceInputDto | null; restore?: boolean };
      // A password hash needing an upgrade waits for a sign-in without MFA: the challenge
      // row never holds anything derived from the password.
      const attempt: SignInAttempt = {
        device: login.device ?? undefined,
        restore: login.restore === true,
        newHash: undefined,
      };
      await assertMaySignIn(account, attempt.restore, meta);
      return finishSignIn(account, attempt, meta);
    },
  };
}
