// Tables owned by the auth module: the account (`users`, its profile `user_profiles`, the
// devices it signs in from), sessions and refresh tokens, key envelopes, single-use email
// tokens, the audit trail, MFA and sign-in fingerprints. Sign-in and registration write the
// account, its profile, its device and the session in one transaction, and the session row
// points at its device (sessions.device_ref), so these stay together here; the users module
// reads and changes them only through the ports in ports.ts.
//
// Row-level security for each is in the hand-written migration that follows the generated
// one (see migrations/). 0020_active_account_locales.sql adds the view
// `active_account_locales` (id, time_zone, language of each active account): the one
// relation of this module another module's SQL may read (the notifications scheduler).
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  pgView,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { Role } from '../../platform/auth/roles.ts';
import { ownerId } from '../../platform/db/owner.ts';
import type { AccountStatus, Language, Platform, TokenPurpose } from './values.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<Role>().notNull().default('user'),
    accountStatus: text('account_status').$type<AccountStatus>().notNull().default('active'),
    languagePreference: text('language_preference').$type<Language>().notNull().default('es'),
    timeZone: text('time_zone').notNull().default('UTC'),
    kdfSalt: text('kdf_salt').notNull(),
    kdfMemoryKib: integer('kdf_memory_kib').notNull(),
    kdfIterations: integer('kdf_iterations').notNull(),
    kdfParallelism: integer('kdf_parallelism').notNull(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    /** Email about sign-ins from a device or browser this account has not used before. */
    signInAlerts: boolean('sign_in_alerts').notNull().default(true),
    deletionRequestedAt: timestamp('deletion_requested_at', { withTimezone: true }),
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(t.email),
    index('users_created_at_idx').on(t.createdAt, t.id),
    check('users_role_check', sql`${t.role} in ('user', 'premium', 'content_manager', 'admin')`),
    check(
      'users_account_status_check',
      sql`${t.accountStatus} in ('active', 'locked', 'pending_deletion')`,
    ),
    index('users_purge_after_idx')
      .on(t.purgeAfter)
      .where(sql`${t.purgeAfter} is not null`),
    check('users_language_check', sql`${t.languagePreference} in ('es', 'en')`),
    check('users_email_lowercase_check', sql`${t.email} = lower(${t.email})`),
  ],
);

export const userProfiles = pgTable(
  'user_profiles',
  {
    userId: uuid('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    displayName: text('display_name'),
    preferences: jsonb('preferences').$type<Record<string, unknown>>().notNull().default({}),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    /** The country the person chose (ISO 3166-1 alpha-2); null: the one of their time zone. */
    country: text('country'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('user_profiles_country_check', sql`${t.country} ~ '^[A-Z]{2}$'`)],
);

export const userDevices = pgTable(
  'user_devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    deviceId: text('device_id').notNull(),
    deviceName: text('device_name'),
    platform: text('platform').$type<Platform>().notNull(),
    pushToken: text('push_token'),
    lastActiveAt: timestamp('last_active_at', { withTimezone: true }).notNull().defaultNow(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('user_devices_user_device_key').on(t.userId, t.deviceId),
    check('user_devices_platform_check', sql`${t.platform} in ('ios', 'android', 'web', 'other')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    deviceRef: uuid('device_ref').references(() => userDevices.id, { onDelete: 'set null' }),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedReason: text('revoked_reason'),
    /** The last fresh proof (password or MFA code) in this session: step-up for sensitive routes. */
    reauthenticatedAt: timestamp('reauthenticated_at', { withTimezone: true }),
  },
  (t) => [index('sessions_user_idx').on(t.userId, t.createdAt)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    userId: ownerId(),
    tokenHash: bytea('token_hash').notNull(),
    parentId: uuid('parent_id'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('refresh_tokens_hash_key').on(t.tokenHash),
    index('refresh_tokens_session_idx').on(t.sessionId),
  ],
);

export const keyEnvelopes = pgTable(
  'key_envelopes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    label: text('label').notNull(),
    envelope: text('envelope').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('key_envelopes_user_label_key').on(t.userId, t.label)],
);

/** Single-use tokens sent by email; only their SHA-256 is stored. */
export const actionTokens = pgTable(
  'action_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    purpose: text('purpose').$type<TokenPurpose>().notNull(),
    tokenHash: bytea('token_hash').notNull(),
    /** change_email: the address the account moves to once the link is followed. */
    newEmail: text('new_email'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('action_tokens_hash_key').on(t.tokenHash),
    index('action_tokens_user_idx').on(t.userId, t.purpose),
  ],
);

/** The user's audit trail. Never holds passwords, tokens or key material. */
export const securityEvents = pgTable(
  'security_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('security_events_user_idx').on(t.userId, t.createdAt)],
);

/** A user's TOTP authenticator (RFC 6238). The secret is sealed with the app secret. */
export const mfaTotp = pgTable('mfa_totp', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretSealed: text('secret_sealed').notNull(),
  /** Null while enrolling: MFA is on only once the first code confirmed the authenticator. */
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  /** The last accepted time step: a code works once. */
  lastUsedStep: integer('last_used_step'),
  createdAt: createdAt(),
});

/** Single-use recovery codes (HMAC of the code; the code itself is shown once). */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    codeHash: bytea('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('mfa_recovery_codes_hash_key').on(t.userId, t.codeHash)],
);

/** The second step of a sign-in with MFA: the password was right, a code is still due. */
export const mfaChallenges = pgTable(
  'mfa_challenges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    tokenHash: bytea('token_hash').notNull(),
    /** What the sign-in asked for (device, account restore), replayed once the code is right. */
    login: jsonb('login').$type<Record<string, unknown>>().notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('mfa_challenges_hash_key').on(t.tokenHash),
    index('mfa_challenges_user_idx').on(t.userId),
  ],
);

/** Devices and browsers this account has signed in from (HMAC fingerprints), for sign-in alerts. */
export const signInFingerprints = pgTable(
  'sign_in_fingerprints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    fingerprint: bytea('fingerprint').notNull(),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sign_in_fingerprints_key').on(t.userId, t.fingerprint)],
);

/**
 * The view of active accounts other modules' schedulers read (0020_active_account_locales.sql):
 * each one's id, IANA time zone and language, nothing else. Declared as existing: the
 * migration, not drizzle-kit, creates it.
 */
export const activeAccountLocales = pgView('active_account_locales', {
  id: uuid('id').notNull(),
  timeZone: text('time_zone').notNull(),
  language: text('language').$type<Language>().notNull(),
}).existing();
