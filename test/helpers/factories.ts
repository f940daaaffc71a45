// Small factories: what a test needs, written through the modules' repositories and
// services, without HTTP and without Argon2. A factory user is a user row with its profile
// (and, when asked, a device with a push token) and a signed-in session, made in one
// transaction; check-ins, tool sessions and notification preferences go through the
// modules' services, so their domain events (activities, achievements, jobs) happen as
// they do for a request. Use registerUser (users.ts) where registration is the point.
//
// Every function takes a TestServices (services.ts) or a TestApp, which is one.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuthContext } from '../../src/platform/auth/guard.ts';
import { scopesForRole, type Role } from '../../src/platform/auth/roles.ts';
import type { Platform } from '../../src/platform/platform.ts';
import type { Modules } from '../../src/modules/index.ts';
// The auth module's repositories and token issuer: the same functions registration uses.
import { insertUser } from '../../src/modules/auth/repository.ts';
import { setPushToken, upsertDevice } from '../../src/modules/auth/devices/repository.ts';
import { createTokenIssuer, type TokenIssuer } from '../../src/modules/auth/sessions/tokens.ts';
import { findToolByCode } from '../../src/modules/tools/admin/repository.ts';
import type { TestServices } from './services.ts';
import { uniqueEmail, type TestUser } from './users.ts';

type Harness = Pick<TestServices, 'platform' | 'modules' | 'clock'>;

/**
 * Every factory user's password, hashed once ahead of time (Argon2id, m=19456, t=2, p=1:
 * the configured cost, so signing in does not rehash): creating a user costs no Argon2,
 * and a test may still sign one in with it (one verification, as for anyone).
 */
export const FACTORY_PASSWORD = 'factory-user-password-0';
const FACTORY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$9s0XIhzeu9sA/1qxN/S6Uw$tULDwspETb+A8SO1nRRclPyElvN+aNX8hyj+4/PI7bU';

export interface FactoryUser extends TestUser {
  role: Role;
  /** The session `accessToken` and `refreshToken` belong to. */
  sessionId: string;
}

export interface DeviceInput {
  device_id: string;
  platform?: 'ios' | 'android' | 'web' | 'other';
  device_name?: string;
  /** Registered for the device, as PUT /v1/users/me/devices/{id}/push-token does. */
  push_token?: string;
}

export interface UserInput {
  email?: string;
  time_zone?: string;
  language_preference?: 'es' | 'en';
  display_name?: string;
  role?: Role;
  email_verified?: boolean;
  /** The device the first session signed in on. */
  device?: DeviceInput;
}

const issuers = new WeakMap<Platform, TokenIssuer>();

/** The platform's token issuer, set up as the auth module sets up its own (same keys, same settings). */
function issuerOf(platform: Platform): TokenIssuer {
  let issuer = issuers.get(platform);
  if (!issuer) {
    const { config } = platform;
    issuer = createTokenIssuer(platform.keys, platform.secrets, {
      access: {
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        ttlSeconds: config.jwt.accessTtlSeconds,
      },
      refreshTtlDays: config.refresh.ttlDays,
      reuseGraceSeconds: config.refresh.reuseGraceSeconds,
    });
    issuers.set(platform, issuer);
  }
  return issuer;
}

/** A user who only needs to exist: row, profile, optional device, and a session, in one transaction. */
export async function createUser(h: Harness, input: UserInput = {}): Promise<FactoryUser> {
  const { platform, clock } = h;
  const id = randomUUID();
  const email = input.email ?? uniqueEmail('made');
  const role = input.role ?? 'user';
  const now = clock.now();
  const issued = await platform.db.asUser(id, async (tx) => {
    await insertUser(
      tx,
      {
        id,
        email,
        passwordHash: FACTORY_PASSWORD_HASH,
        languagePreference: input.language_preference ?? 'es',
        timeZone: input.time_zone ?? 'America/Bogota',
        kdfSalt: randomBytes(16).toString('base64url'),
        kdfMemoryKib: platform.config.clientKdf.memoryKib,
        kdfIterations: platform.config.clientKdf.iterations,
        kdfParallelism: platform.config.clientKdf.parallelism,
        role,
        emailVerified: input.email_verified ?? false,
        createdAt: now,
      },
      input.display_name ?? null,
    );
    const deviceRef = input.device ? await addDevice(tx, id, input.device, now) : null;
    return issuerOf(platform).startSession(
      tx,
      { userId: id, role, deviceRef, ip: null, userAgent: null },
      now,
    );
  });
  return {
    id,
    email,
    password: FACTORY_PASSWORD,
    role,
    sessionId: issued.sessionId,
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
  };
}

type Tx = Parameters<Parameters<Platform['db']['asUser']>[1]>[0];

async function addDevice(tx: Tx, userId: string, device: DeviceInput, now: Date) {
  const platform = device.platform ?? 'android';
  const ref = await upsertDevice(
    tx,
    userId,
    { deviceId: device.device_id, deviceName: device.device_name ?? null, platform },
    now,
  );
  if (device.push_token)
    await setPushToken(tx, userId, device.device_id, device.push_token, platform);
  return ref;
}

/**
 * A new session at the clock's current time (what signing in gives, without the password
 * check): the user with that session's tokens. Replaces a login made only to get a token
 * that is valid at a moved clock.
 */
export async function signIn(
  h: Harness,
  user: TestUser & { role?: Role },
  options: { device?: DeviceInput } = {},
): Promise<FactoryUser> {
  const role = user.role ?? 'user';
  const now = h.clock.now();
  const issued = await h.platform.db.asUser(user.id, async (tx) => {
    const deviceRef = options.device ? await addDevice(tx, user.id, options.device, now) : null;
    return issuerOf(h.platform).startSession(
      tx,
      { userId: user.id, role, deviceRef, ip: null, userAgent: null },
      now,
    );
  });
  return {
    ...user,
    role,
    sessionId: issued.sessionId,
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
  };
}

/** The caller a service sees for a request of this user's session. */
export function callerFor(h: Harness, user: Pick<FactoryUser, 'id' | 'role' | 'sessionId'>) {
  return {
    userId: user.id,
    sessionId: user.sessionId,
    role: user.role,
    scopes: new Set(scopesForRole(user.role)),
    tokenId: randomUUID(),
    issuedAt: Math.floor(h.clock.now().getTime() / 1000),
  } satisfies AuthContext;
}

/** The id of an emotion of the catalog, by its code. */
export function emotionIdOf(h: Harness, code: string): number {
  const emotion = h.modules.emotions.catalog().byCode(code);
  if (!emotion) throw new Error(`no emotion ${code}`);
  return emotion.id;
}

type CheckinInput = Parameters<Modules['emotions']['service']['create']>[1];

/** A check-in at the clock's current time (or `created_at`), recorded by the emotions service. */
export async function createCheckin(
  h: Harness,
  user: FactoryUser,
  input: Partial<CheckinInput> & { code?: string } = {},
) {
  const { code, ...fields } = input;
  const result = await h.modules.emotions.service.create(callerFor(h, user), {
    emotion_type_id: emotionIdOf(h, code ?? 'calm'),
    intensity: 5,
    context: 'daily_checkin',
    ...fields,
  });
  return result.body;
}

/** The id of a seeded tool, by its code. */
export async function toolIdOf(h: Harness, code: string): Promise<string> {
  const tool = await h.platform.db.asSystem((tx) => findToolByCode(tx, code));
  if (!tool) throw new Error(`no tool ${code}`);
  return tool.id;
}

type UsageInput = Parameters<Modules['tools']['service']['recordUsage']>[2];

/** A session with a tool, recorded by the tools service (completed 4 minutes ago by default). */
export async function recordToolUsage(
  h: Harness,
  user: FactoryUser,
  code: string,
  input: Partial<UsageInput> = {},
) {
  const now = h.clock.now().getTime();
  const result = await h.modules.tools.service.recordUsage(
    callerFor(h, user),
    await toolIdOf(h, code),
    {
      started_at: new Date(now - 240_000).toISOString(),
      completed_at: new Date(now).toISOString(),
      duration_seconds: 240,
      completion_status: 'completed',
      ...input,
    },
  );
  return result.body;
}

type PreferencesInput = Parameters<Modules['notifications']['service']['updatePreferences']>[1];

/** Changes the user's notification preferences through the notifications service. */
export function setNotificationPreferences(
  h: Harness,
  user: FactoryUser,
  preferences: PreferencesInput,
) {
  return h.modules.notifications.service.updatePreferences(callerFor(h, user), preferences);
}
