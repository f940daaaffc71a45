// SQL of the account: the user row and its profile (users, user_profiles), the single-use
// tokens sent by email, and the devices and browsers an account has signed in from (sign-in
// alerts). Sub-areas keep their own SQL (sessions/, mfa/, keys/, devices/, security-events/,
// accounts/). Every function takes the transaction it runs in; the password hash is
// selected only by the functions that verify a password.
import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { compileQuery } from '../../platform/db/compiled-query.ts';
import type { Role } from '../../platform/auth/roles.ts';
import { actionTokens, mfaTotp, signInFingerprints, userProfiles, users } from './tables.ts';
import type { AccountStatus, Language, TokenPurpose } from './values.ts';

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
  country: userProfiles.country,
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
  country: string | null;
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

// Read by every check-in, activity and tool read (the user's zone and language): compiled
// once (issue 17).
const localeOf = compileQuery({ userId: users.id }, (db, p) =>
  db
    .select({ timeZone: users.timeZone, language: users.languagePreference })
    .from(users)
    .where(eq(users.id, p.userId)),
);

export async function findLocale(tx: Tx, userId: string) {
  const [row] = await localeOf.run(tx, { userId });
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

// Action tokens (email verification, password reset, email change)

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

// Sign-in fingerprints (sign-in alerts)

/**
 * Records a sign-in from `fingerprint`. `known`: seen before; `firstEver`: the account had
 * no fingerprint at all (its first sign-in since alerts exist: nothing to compare with).
 */
export async function noteFingerprint(
  tx: Tx,
  userId: string,
  fingerprint: Buffer,
  now: Date,
): Promise<{ known: boolean; firstEver: boolean }> {
  const touched = await tx
    .update(signInFingerprints)
    .set({ lastSeenAt: now })
    .where(
      and(eq(signInFingerprints.userId, userId), eq(signInFingerprints.fingerprint, fingerprint)),
    )
    .returning({ id: signInFingerprints.id });
  if (touched.length > 0) return { known: true, firstEver: false };
  const [row] = await tx
    .select({ n: count() })
    .from(signInFingerprints)
    .where(eq(signInFingerprints.userId, userId));
  await tx
    .insert(signInFingerprints)
    .values({ userId, fingerprint, firstSeenAt: now, lastSeenAt: now })
    .onConflictDoNothing();
  return { known: false, firstEver: (row?.n ?? 0) === 0 };
}
