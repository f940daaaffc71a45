// The auth module: wiring of its services, jobs and routes, and what other modules may
// use (the caller's profile facts, through AuthModuleApi).
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import { cacheVerifiedTokens } from '../../platform/crypto/verified-tokens.ts';
import { verifyAccessToken } from '../../platform/crypto/access-tokens.ts';
import { registerAuthGuard } from '../../platform/auth/guard.ts';
import { createPasswordHasher } from './passwords.ts';
import { createTokenIssuer } from './tokens.ts';
import { createRevocationStore } from './revocations.ts';
import { dependencyFallbacks } from '../../platform/resilience.ts';
import { createAuthService, type AuthService } from './service.ts';
import { createUsersService, type UsersService } from './users.service.ts';
import { accountPurgeJob, PURGE_SCHEDULE } from './account-purge.ts';
import { createDeletionLedger } from './deletion-ledger.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { createAdminService } from './admin.service.ts';
import { mfaChallengeCleanupJob, passwordResetRequestJob, sendEmailJob } from './jobs.ts';
import { authRoutes } from './routes.ts';
import { mfaRoutes } from './mfa.routes.ts';
import { emailChangeRoutes } from './email-change.routes.ts';
import { createEmailChangeService } from './email-change.service.ts';
import { createMfaService } from './mfa.service.ts';
import { usersRoutes } from './users.routes.ts';
import { adminRoutes } from './admin.routes.ts';
import { setUpDataExports } from './data-exports.ts';
import type { DataExportsService } from './data-exports.service.ts';
import { dataExportsRoutes } from './data-exports.routes.ts';
import * as sessionsRepo from './sessions.repository.ts';
import * as repo from './repository.ts';
import { securityAudit } from './audit.ts';
import * as pushRepo from './push-tokens.repository.ts';
import type { Tx } from '../../platform/db/database.ts';
import { notFound } from '../../platform/errors.ts';

export interface AuthModule extends AppModule {
  auth: AuthService;
  users: UsersService;
  /** Full personal-data exports (the cleanup is also a scheduled job). */
  dataExports: DataExportsService;
  /** Installs authentication on every /v1 route added after it (call before mounting any module). */
  installGuard(app: FastifyInstance): void;
  /** The time zone and language of a user, for modules that compute "days" or write texts. */
  profileIn(tx: Tx, userId: string): Promise<{ timeZone: string; language: 'es' | 'en' }>;
  /** The push tokens of the user's active devices. */
  pushTargetsIn(tx: Tx, userId: string): Promise<{ token: string; platform: string }[]>;
  /** Forgets a token the push provider reported dead. */
  forgetPushToken(tx: Tx, userId: string, token: string): Promise<void>;
  /** Adds an entry to the user's audit trail (GET /v1/users/me/security-events), in `tx`. */
  recordSecurityEvent(
    tx: Tx,
    userId: string,
    type: string,
    meta: RequestMeta,
    metadata?: Record<string, unknown>,
  ): Promise<void>;
}

export async function createAuthModule(platform: Platform): Promise<AuthModule> {
  const { config, db, clock, limiters, jobs, secrets, keys, log } = platform;
  const accessSettings = {
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    ttlSeconds: config.jwt.accessTtlSeconds,
  };
  const hasher = await createPasswordHasher(config.argon2, platform.metrics);
  const tokens = createTokenIssuer(keys, secrets, {
    access: accessSettings,
    refreshTtlDays: config.refresh.ttlDays,
    reuseGraceSeconds: config.refresh.reuseGraceSeconds,
  });
  const fallbacks = dependencyFallbacks(platform.metrics);
  const revocations = createRevocationStore({
    cache: platform.expiringSet('revoked-sessions'),
    accessTtlSeconds: config.jwt.accessTtlSeconds,
    now: () => clock.now().getTime(),
    isRevokedInDatabase: (sessionId) => db.asSystem((tx) => sessionsRepo.isRevoked(tx, sessionId)),
    revokedSince: (since) => db.asSystem((tx) => sessionsRepo.recentlyRevokedSessionIds(tx, since)),
    onFallback: (reason) =>
      fallbacks.inc({
        dependency: 'redis',
        use: reason === 'lost' ? 'revocations-restore' : 'revocations',
      }),
    onRestoreFailed: (error) => log.warn({ err: error }, 'restoring the revocation cache failed'),
  });
  const emailJob = sendEmailJob({
    db,
    clock,
    mailer: platform.mailer,
    appLinkBaseUrl: config.appLinkBaseUrl,
    log,
  });
  jobs.define(emailJob);
  const resetRequestJob = passwordResetRequestJob({ db, secrets, jobs, sendEmailJob: emailJob });
  jobs.define(resetRequestJob);
  const challengeCleanup = mfaChallengeCleanupJob({ db, clock });
  jobs.define(challengeCleanup);
  await jobs.schedule(challengeCleanup, '53 * * * *', {});

  const minute = 60;
  const stepUpTtlMs = config.account.stepUpTtlSeconds * 1000;
  const mfa = createMfaService({
    db,
    clock,
    secrets,
    metrics: platform.metrics,
    codeFailuresPerUser: limiters({
      name: 'mfa-code-fail-user',
      points: 5,
      durationSeconds: 15 * minute,
    }),
  });
  const auth = createAuthService({
    db,
    clock,
    mfa,
    stepUpTtlSeconds: config.account.stepUpTtlSeconds,
    hasher,
    secrets,
    tokens,
    revocations,
    jobs,
    sendEmailJob: emailJob,
    passwordResetRequestJob: resetRequestJob,
    clientKdf: config.clientKdf,
    log,
    limits: {
      loginFailuresPerIpEmail: limiters({
        name: 'login-fail-ip-email',
        points: 5,
        durationSeconds: minute,
      }),
      loginFailuresPerIp: limiters({ name: 'login-fail-ip', points: 30, durationSeconds: minute }),
      registerPerIp: limiters({ name: 'register-ip', points: 20, durationSeconds: 60 * minute }),
      resetPerIp: limiters({ name: 'reset-ip', points: 10, durationSeconds: 15 * minute }),
      resetPerEmail: limiters({ name: 'reset-email', points: 3, durationSeconds: 60 * minute }),
      verifyResendPerUser: limiters({
        name: 'verify-resend-user',
        points: 3,
        durationSeconds: 60 * minute,
      }),
      passwordChecksPerUser: limiters({
        name: 'password-check-user',
        points: 5,
        durationSeconds: 15 * minute,
      }),
    },
  });
  const users = createUsersService({
    db,
    clock,
    revocations,
    deletion: platform.deletion,
    jobs,
    sendEmailJob: emailJob,
    deletionGraceDays: config.account.deletionGraceDays,
    ledger: createDeletionLedger(platform.storage, secrets),
    log,
  });
  const purgeJob = accountPurgeJob({ users, log });
  jobs.define(purgeJob);
  await jobs.schedule(purgeJob, PURGE_SCHEDULE, {});
  const emailChange = createEmailChangeService({ db, clock, jobs, sendEmailJob: emailJob });
  const admin = createAdminService({ db, clock, revocations });
  const dataExports = await setUpDataExports(platform, emailJob);

  return {
    name: 'auth',
    prefixes: ['/v1/auth', '/v1/users', '/v1/admin/users', '/.well-known'],
    auth,
    users,
    dataExports,
    installGuard(app) {
      registerAuthGuard(app, {
        verify: cacheVerifiedTokens(
          (token) => verifyAccessToken(keys, accessSettings, token, clock.now()),
          { max: 10_000, now: () => clock.now() },
        ),
        isSessionRevoked: (sessionId) => revocations.isRevoked(sessionId),
        async isSessionFresh(sessionId) {
          const at = await db.asSystem((tx) => sessionsRepo.reauthenticatedAt(tx, sessionId));
          return at !== null && clock.now().getTime() - at.getTime() < stepUpTtlMs;
        },
      });
    },
    async profileIn(tx, userId) {
      const row = await repo.findLocale(tx, userId);
      if (!row) throw notFound('user');
      return row;
    },
    pushTargetsIn: (tx, userId) => pushRepo.pushTargets(tx, userId),
    forgetPushToken: (tx, userId, token) => pushRepo.clearPushToken(tx, userId, token),
    recordSecurityEvent: securityAudit(clock),
    async routes(app) {
      app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=300').send(keys.jwks),
      );
      await app.register(authRoutes, { prefix: '/v1/auth', service: auth });
      await app.register(mfaRoutes, { prefix: '/v1/auth/mfa', service: mfa });
      await app.register(emailChangeRoutes, { service: emailChange });
      await app.register(usersRoutes, { prefix: '/v1/users/me', service: users });
      await app.register(dataExportsRoutes, {
        prefix: '/v1/users/me/export',
        service: dataExports,
      });
      await app.register(adminRoutes, { prefix: '/v1/admin/users', service: admin });
    },
  };
}
