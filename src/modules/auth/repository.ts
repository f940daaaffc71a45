// SQL of the auth module: users, profiles, devices, key envelopes, action tokens and the
// audit trail (sessions and refresh tokens are in sessions.repository.ts). Every function
// takes the transaction it runs in; the password hash is selected only by the functions
// that verify a password.
import { and, asc, desc, eq, gt, isNull, like, lt, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import {
  actionTokens,
  mfaTotp,
  keyEnvelopes,
  securityEvents,
  userDevices,
  userProfiles,
  users,
  type AccountStatus,
  type Language,
  type Platform,
  type TokenPurpose,
} from './tables.ts';
import type { Role } from '../../platform/auth/roles.ts';

/** Whether two-step sign-in is on for the user row of the query. */
const mfaEnabled = () =>
  sql<boolean>`exists (select 1 from ${mfaTotp} where ${mfaTotp.userId} = ${users.id} and ${mfaTotp.confirmedAt} is not null)`;

const userColumns = {
  id: users.id,
  email: users.email,
  emailVerified: users.emailVerified,
  role: users.role,
  accountStatus: users.accountStatus,
  languagePreference: users.languagePreference,
  timeZone: users.timeZone,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
  signInAlerts: users.signInAlerts,
  mfaEnabled: mfaEnabled(),
  displayName: userProfiles.displayName,
  preferences: userProfiles.preferences,
  settings: userProfiles.settings,
};

export type UserRow = {
  id: string;
  email: string;
  emailVerified: boolean;
  role: Role;
  accountStatus: AccountStatus;
  languagePreference: Language;
  timeZone: string;
  createdAt: Date;
  lastLoginAt: Date | null;
  signInAlerts: boolean;
  mfaEnabled: boolean;
  displayName: string | null;
  preferences: Record<string, unknown> | null;
  settings: Record<string, unknown> | null;
};

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string;
  languagePreference: Language;
  timeZone: string;
  kdfSalt: string;
  kdfMemoryKib: number;
  kdfIterations: number;
  kdfParallelism: number;
  role?: Role;
  emailVerified?: boolean;
  createdAt: Date;
}

export async function insertUser(tx: Tx, user: NewUser, displayName: string | null): Promise<void> {
  await tx.insert(users).values({ ...user, updatedAt: user.createdAt });
  await tx.insert(userProfiles).values({ userId: user.id, displayName, updatedAt: user.createdAt });
}

export async function findUserById(tx: Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await tx
    .select(userColumns)
    .from(users)
    .leftJoin(userProfiles, eq(userProfiles.userId, users.id))
    .where(eq(users.id, id));
  return row;
}

export async function findLocale(tx: Tx, userId: string) {
  const [row] = await tx
    .select({ timeZone: users.timeZone, language: users.languagePreference })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

export async function findCredentialsByEmail(tx: Tx, email: string) {
  const [row] = await tx
    .select({
      id: users.id,
      passwordHash: users.passwordHash,
      accountStatus: users.accountStatus,
      role: users.role,
      languagePreference: users.languagePreference,
      purgeAfter: users.purgeAfter,
      mfaEnabled: mfaEnabled(),
    })
    .from(users)
    .where(eq(users.email, email));
  return row;
}

/** Whether an email has an account, and its status (no secrets). */
export async function findAccountStatusByEmail(tx: Tx, email: string) {
  const [row] = await tx
    .select({ id: users.id, accountStatus: users.accountStatus })
    .from(users)
    .where(eq(users.email, email));
  return row;
}

/** What a sign-in needs to know about an account it already identified (the MFA step). */
export async function findSignInAccount(tx: Tx, id: string) {
  const [row] = await tx
    .select({
      id: users.id,
      accountStatus: users.accountStatus,
      role: users.role,
      purgeAfter: users.purgeAfter,
    })
    .from(users)
    .where(eq(users.id, id));
  return row;
}

export async function findPasswordHash(tx: Tx, userId: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, userId));
  return row?.passwordHash;
}

export async function findKeyParamsByEmail(tx: Tx, email: string) {
  const [row] = await tx
    .select({
      salt: users.kdfSalt,
      memoryKib: users.kdfMemoryKib,
      iterations: users.kdfIterations,
      parallelism: users.kdfParallelism,
    })
    .from(users)
    .where(eq(users.email, email));
  return row;
}

export async function findMailRecipient(tx: Tx, userId: string) {
  const [row] = await tx
    .select({
      email: users.email,
      language: users.languagePreference,
      emailVerified: users.emailVerified,
      accountStatus: users.accountStatus,
      displayName: userProfiles.displayName,
      timeZone: users.timeZone,
    })
    .from(users)
    .leftJoin(userProfiles, eq(userProfiles.userId, users.id))
    .where(eq(users.id, userId));
  return row;
}

export async function updateUserFields(
  tx: Tx,
  userId: string,
  fields: Partial<{
    passwordHash: string;
    passwordChangedAt: Date;
    lastLoginAt: Date;
    emailVerified: boolean;
    emailVerifiedAt: Date;
    languagePreference: Language;
    timeZone: string;
    role: Role;
    accountStatus: AccountStatus;
    signInAlerts: boolean;
    email: string;
    deletionRequestedAt: Date | null;
    purgeAfter: Date | null;
  }>,
  now: Date,
): Promise<boolean> {
  const updated = await tx
    .update(users)
    .set({ ...fields, updatedAt: now })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  return updated.length > 0;
}

export async function updateProfile(
  tx: Tx,
  userId: string,
  patch: { displayName?: string | null; preferences?: object; settings?: object },
  now: Date,
): Promise<void> {
  await tx
    .update(userProfiles)
    .set({
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      // Merge key by key; a key set to null is removed.
      ...(patch.preferences
        ? {
            preferences: sql`jsonb_strip_nulls(${userProfiles.preferences} || ${JSON.stringify(patch.preferences)}::jsonb)`,
          }
        : {}),
      ...(patch.settings
        ? {
            settings: sql`jsonb_strip_nulls(${userProfiles.settings} || ${JSON.stringify(patch.settings)}::jsonb)`,
          }
        : {}),
      updatedAt: now,
    })
    .where(eq(userProfiles.userId, userId));
}

export async function deleteUser(tx: Tx, userId: string): Promise<boolean> {
  const deleted = await tx.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
  return deleted.length > 0;
}

const accountColumns = {
  id: users.id,
  email: users.email,
  emailVerified: users.emailVerified,
  role: users.role,
  accountStatus: users.accountStatus,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
  purgeAfter: users.purgeAfter,
};

export async function findAccountById(tx: Tx, id: string) {
  const [row] = await tx.select(accountColumns).from(users).where(eq(users.id, id));
  return row;
}

export async function listUsers(
  tx: Tx,
  options: {
    limit: number;
    after?: [string, string] | undefined;
    emailPrefix?: string | undefined;
  },
) {
  const conditions = [];
  if (options.after) {
    const [createdAt, id] = options.after;
    conditions.push(
      or(
        lt(users.createdAt, new Date(createdAt)),
        and(eq(users.createdAt, new Date(createdAt)), lt(users.id, id)),
      ),
    );
  }
  if (options.emailPrefix) {
    conditions.push(
      like(users.email, `${options.emailPrefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`),
    );
  }
  return tx
    .select(accountColumns)
    .from(users)
    .where(and(...conditions))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(options.limit + 1);
}

// Devices

export async function upsertDevice(
  tx: Tx,
  userId: string,
  device: { deviceId: string; deviceName: string | null; platform: Platform },
  now: Date,
): Promise<string> {
  const [row] = await tx
    .insert(userDevices)
    .values({ userId, ...device, lastActiveAt: now, createdAt: now })
    .onConflictDoUpdate({
      target: [userDevices.userId, userDevices.deviceId],
      set: {
        deviceName: sql`coalesce(excluded.device_name, ${userDevices.deviceName})`,
        platform: device.platform,
        lastActiveAt: now,
        isActive: true,
      },
    })
    .returning({ id: userDevices.id });
  if (!row) throw new Error('device upsert returned no row');
  return row.id;
}

export async function findDeviceByClientId(tx: Tx, userId: string, deviceId: string) {
  const [row] = await tx
    .select({ id: userDevices.id })
    .from(userDevices)
    .where(and(eq(userDevices.userId, userId), eq(userDevices.deviceId, deviceId)));
  return row;
}

export async function listDevices(tx: Tx, userId: string) {
  return tx
    .select()
    .from(userDevices)
    .where(eq(userDevices.userId, userId))
    .orderBy(desc(userDevices.lastActiveAt), asc(userDevices.id));
}

export async function deleteDevice(tx: Tx, userId: string, id: string): Promise<boolean> {
  const deleted = await tx
    .delete(userDevices)
    .where(and(eq(userDevices.userId, userId), eq(userDevices.id, id)))
    .returning({ id: userDevices.id });
  return deleted.length > 0;
}

// Key envelopes

export async function listEnvelopes(tx: Tx, userId: string) {
  return tx
    .select({
      label: keyEnvelopes.label,
      envelope: keyEnvelopes.envelope,
      updatedAt: keyEnvelopes.updatedAt,
    })
    .from(keyEnvelopes)
    .where(eq(keyEnvelopes.userId, userId))
    .orderBy(asc(keyEnvelopes.label));
}

export async function upsertEnvelope(
  tx: Tx,
  userId: string,
  label: string,
  envelope: string,
  now: Date,
): Promise<void> {
  await tx
    .insert(keyEnvelopes)
    .values({ userId, label, envelope, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [keyEnvelopes.userId, keyEnvelopes.label],
      set: { envelope, updatedAt: now },
    });
}

export async function findEnvelope(
  tx: Tx,
  userId: string,
  label: string,
): Promise<string | undefined> {
  const [row] = await tx
    .select({ envelope: keyEnvelopes.envelope })
    .from(keyEnvelopes)
    .where(and(eq(keyEnvelopes.userId, userId), eq(keyEnvelopes.label, label)));
  return row?.envelope;
}

export async function deleteEnvelope(tx: Tx, userId: string, label: string): Promise<void> {
  await tx
    .delete(keyEnvelopes)
    .where(and(eq(keyEnvelopes.userId, userId), eq(keyEnvelopes.label, label)));
}

export async function countEnvelopes(tx: Tx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(keyEnvelopes)
    .where(eq(keyEnvelopes.userId, userId));
  return row?.n ?? 0;
}

// Action tokens (email verification, password reset)

export async function insertActionToken(
  tx: Tx,
  token: {
    userId: string;
    purpose: TokenPurpose;
    tokenHash: Buffer;
    newEmail?: string | null;
    expiresAt: Date;
    createdAt: Date;
  },
): Promise<void> {
  await tx.insert(actionTokens).values(token);
}

/** Locks and returns a usable token (unused, unexpired), or undefined. */
export async function claimActionToken(
  tx: Tx,
  tokenHash: Buffer,
  purpose: TokenPurpose,
  now: Date,
) {
  const [row] = await tx
    .select({ id: actionTokens.id, userId: actionTokens.userId, newEmail: actionTokens.newEmail })
    .from(actionTokens)
    .where(
      and(
        eq(actionTokens.tokenHash, tokenHash),
        eq(actionTokens.purpose, purpose),
        isNull(actionTokens.usedAt),
        gt(actionTokens.expiresAt, now),
      ),
    )
    .for('update');
  if (!row) return undefined;
  await tx.update(actionTokens).set({ usedAt: now }).where(eq(actionTokens.id, row.id));
  return row;
}

/** Ends every outstanding token of a purpose (e.g. older reset links after a reset). */
export async function expireActionTokens(
  tx: Tx,
  userId: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<void> {
  await tx
    .update(actionTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(actionTokens.userId, userId),
        eq(actionTokens.purpose, purpose),
        isNull(actionTokens.usedAt),
      ),
    );
}

// Audit trail

export interface SecurityEventInput {
  userId: string | null;
  type: string;
  ip: string | null;
  userAgent: string | null;
  metadata?: Record<string, unknown>;
  createdAt: Date;
}

export async function insertSecurityEvent(tx: Tx, event: SecurityEventInput): Promise<void> {
  await tx.insert(securityEvents).values({ ...event, metadata: event.metadata ?? {} });
}

export async function listSecurityEvents(
  tx: Tx,
  userId: string,
  limit: number,
  after?: [string, string],
) {
  const conditions = [eq(securityEvents.userId, userId)];
  if (after) {
    const [createdAt, id] = after;
    const at = new Date(createdAt);
    const older = or(
      lt(securityEvents.createdAt, at),
      and(eq(securityEvents.createdAt, at), lt(securityEvents.id, id)),
    );
    if (older) conditions.push(older);
  }
  return tx
    .select()
    .from(securityEvents)
    .where(and(...conditions))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit + 1);
}
