// Registration: the account, its profile, the optional key envelope and device, a session
// with its first refresh token, the audit entry and the verification email, in one
// transaction. Also the first administrator (`create-admin`, from the command line).
import { randomUUID } from 'node:crypto';
import { randomToken } from '../../platform/crypto/secrets.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { assertTimeZone } from '../../platform/time.ts';
import { assertPasswordPolicy } from './passwords.ts';
import {
  deviceRefFor,
  emailTaken,
  normalizeEmail,
  tokenPair,
  type AuthServiceDeps,
} from './deps.ts';
import * as repo from './repository.ts';
import { upsertEnvelope } from './keys/repository.ts';
import { derivedSalt } from './keys/service.ts';
import { securityAudit } from './security-events/service.ts';
import { signInAlertFor } from './sign-in-alerts.ts';
import type { RegisterInput, TokenPairDto } from './schemas.ts';

export function createRegistration(deps: AuthServiceDeps) {
  const { db, clock, hasher, tokens, limits } = deps;
  const audit = securityAudit(clock);

  return {
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
              kdfSalt: input.key_params?.salt ?? derivedSalt(deps.secrets, email),
              kdfMemoryKib: input.key_params?.memory_kib ?? deps.clientKdf.memoryKib,
              kdfIterations: input.key_params?.iterations ?? deps.clientKdf.iterations,
              kdfParallelism: input.key_params?.parallelism ?? deps.clientKdf.parallelism,
              createdAt: now,
            },
            input.display_name ?? null,
          );
          if (input.key_envelope)
            await upsertEnvelope(tx, userId, 'password', input.key_envelope, now);
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
          await deps.jobs.enqueue(tx, deps.sendEmailJob, { user_id: userId, kind: 'verify_email' });
          return tokenPair(tx, userId, issued);
        });
      } catch (error) {
        if (isUniqueViolation(error, 'users_email_key')) throw emailTaken();
        throw error;
      }
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
            kdfSalt: derivedSalt(deps.secrets, email),
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
