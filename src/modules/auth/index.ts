// The auth module: who a request is. Registration, signing in (password, MFA step, account
// restore), tokens, sessions and their revocation, passwords (change, reset), MFA and
// step-up, the client's key parameters and envelopes, email verification and the
// security-event audit trail.
//
// It owns the account's tables (tables.ts): the user row with its credentials, its profile
// and its devices, because registration and sign-in write them together with the session
// (which points at its device) and answer with the whole User. The users module (profile,
// devices and push tokens, email change, data export, deletion, administration) reads and
// changes them only through the ports below; this module needs nothing from it. See
// docs/architecture.md ("Accounts: auth and users").
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../module.ts';
import { cacheVerifiedTokens } from '../../platform/crypto/verified-tokens.ts';
import { verifyAccessToken } from '../../platform/crypto/access-tokens.ts';
import { registerAuthGuard } from '../../platform/auth/guard.ts';
import { dependencyFallbacks } from '../../platform/resilience.ts';
import { registerJobs } from '../../platform/jobs/jobs.ts';
import { notFound } from '../../platform/errors.ts';
import { createPasswordHasher } from './passwords.ts';
import { createTokenIssuer } from './sessions/tokens.ts';
import { createRevocationStore } from './sessions/revocations.ts';
import * as sessionsRepo from './sessions/repository.ts';
import { createSessionsService } from './sessions/service.ts';
import { sessionsRoutes } from './sessions/routes.ts';
import { createAuthService, type AuthService } from './service.ts';
import { authRoutes } from './routes.ts';
import { authJobs } from './jobs.ts';
import { createMfaService } from './mfa/service.ts';
import { mfaRoutes } from './mfa/routes.ts';
import { createKeysService } from './keys/service.ts';
import { keysRoutes } from './keys/routes.ts';
import { createSecurityEventsService, securityAudit } from './security-events/service.ts';
import { securityEventsRoutes } from './security-events/routes.ts';
import { createAccountsPort } from './accounts/service.ts';
import { createDevicesPort } from './devices/service.ts';
import { accountExport } from './export.ts';
import { findLocale } from './repository.ts';
import { authComponents as authShapes } from './schemas.ts';
import { keysComponents } from './keys/schemas.ts';
import { mfaComponents } from './mfa/schemas.ts';
import { securityEventsComponents } from './security-events/schemas.ts';
import type {
  AccountMailPort,
  AccountsPort,
  AuditPort,
  DevicesPort,
  PushTargetsPort,
  SessionsPort,
  UserProfilePort,
} from './ports.ts';

export type {
  AccountMailPort,
  AccountsPort,
  AccountSummary,
  AuditPort,
  DevicesPort,
  ProfileChanges,
  PushTargetsPort,
  SendEmailPayload,
  SessionsPort,
  UserProfilePort,
} from './ports.ts';
export type { AccountStatus, Language, Platform as DevicePlatform } from './values.ts';
export { ACCOUNT_STATUSES } from './values.ts';
// The one relation of this module another module's SQL may read (the notifications
// scheduler joins it): a view of id, time zone and language, published on purpose.
// eslint-disable-next-line no-restricted-imports
export { activeAccountLocales } from './tables.ts';
export type { DeviceDto, UserDto } from './schemas.ts';
export { normalizeEmail } from './deps.ts';
export { authSchedules } from './jobs.ts';
/** Examples of the account that the users module's routes show too. */
export { deviceExamples, userExamples } from './examples.ts';
/** Schemas the users module's routes answer with or accept (the same objects /v1/auth uses). */
export {
  Accepted,
  Device,
  Email,
  Language as LanguageSchema,
  TimeZone,
  TokenBody,
  User,
} from './schemas.ts';

/** The shapes of /v1/auth (and the key material, MFA, security events) in the OpenAPI document. */
export const authComponents = [
  ...authShapes,
  ...keysComponents,
  ...mfaComponents,
  ...securityEventsComponents,
];

export interface AuthModule extends AppModule, UserProfilePort, PushTargetsPort {
  /** Registration, sign-in, passwords, email verification; createAdmin for the CLI. */
  auth: AuthService;
  /** Installs authentication on every /v1 route added after it (call before mounting any module). */
  installGuard(app: FastifyInstance): void;
  /** Adds an entry to the user's audit trail (GET /v1/users/me/security-events), in `tx`. */
  recordSecurityEvent: AuditPort;
  /** For the users module: the account row and profile, devices, sessions, its email. */
  accounts: AccountsPort;
  devices: DevicesPort;
  sessions: SessionsPort;
  mail: AccountMailPort;
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
  const moduleJobs = authJobs({
    db,
    clock,
    mailer: platform.mailer,
    appLinkBaseUrl: config.appLinkBaseUrl,
    secrets,
    jobs,
    log,
  });
  await registerJobs(jobs, moduleJobs.declared);

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
  const deps = {
    db,
    clock,
    mfa,
    stepUpTtlSeconds: config.account.stepUpTtlSeconds,
    hasher,
    secrets,
    tokens,
    revocations,
    jobs,
    sendEmailJob: moduleJobs.sendEmail,
    passwordResetRequestJob: moduleJobs.passwordResetRequest,
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
  };
  const auth = createAuthService(deps);
  const sessions = createSessionsService(deps);
  const keyMaterial = createKeysService({ db, clock, secrets, clientKdf: config.clientKdf });
  const securityEvents = createSecurityEventsService({ db });
  const devices = createDevicesPort();
  // The account's files come first in the archive (registered before any other module).
  platform.dataExport.register(accountExport(clock));

  return {
    name: 'auth',
    prefixes: [
      '/v1/auth',
      '/v1/users/me/key-envelopes',
      '/v1/users/me/security-events',
      '/.well-known',
    ],
    auth,
    accounts: createAccountsPort(),
    devices,
    sessions,
    mail: { send: (tx, payload) => jobs.enqueue(tx, moduleJobs.sendEmail, payload) },
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
      const row = await findLocale(tx, userId);
      if (!row) throw notFound('user');
      return row;
    },
    pushTargetsIn: (tx, userId) => devices.pushTargetsIn(tx, userId),
    forgetPushToken: (tx, userId, token) => devices.forgetPushToken(tx, userId, token),
    recordSecurityEvent: securityAudit(clock),
    async routes(app) {
      app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=300').send(keys.jwks),
      );
      await app.register(authRoutes, { prefix: '/v1/auth', service: auth });
      await app.register(sessionsRoutes, { prefix: '/v1/auth', service: sessions });
      await app.register(keysRoutes, { service: keyMaterial });
      await app.register(mfaRoutes, { prefix: '/v1/auth/mfa', service: mfa });
      await app.register(securityEventsRoutes, {
        prefix: '/v1/users/me',
        service: securityEvents,
      });
    },
  };
}
