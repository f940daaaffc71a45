// What other modules may ask of the auth module: each port is named for what it does and
// built in index.ts; src/modules/index.ts (the composition root) hands them out, and
// consumers import these types from auth's index.ts.
//
//   UserProfilePort, AuditPort  emotions, journals, tools, progress, notifications, users
//   PushTargetsPort             notifications (where a user's pushes go)
//   AccountsPort, DevicesPort,  users: the account row, its devices, its sessions and the
//   SessionsPort, AccountMailPort   email to its address, which this module owns (see tables.ts)
import type { Tx } from '../../platform/db/database.ts';
import type { Role } from '../../platform/auth/roles.ts';
import type { SendEmailPayload } from './jobs.ts';
import type { Audit } from './security-events/service.ts';
import type { DeviceDto, UserDto } from './schemas.ts';
import type { AccountStatus, Language, Platform } from './values.ts';

export type { SendEmailPayload };

/** The language and time zone of a user, for modules that compute "days" or write texts. */
export interface UserProfilePort {
  /** Throws not-found when there is no such account. */
  profileIn(tx: Tx, userId: string): Promise<{ timeZone: string; language: Language }>;
}

/**
 * Adds an entry to a user's audit trail (GET /v1/users/me/security-events), in `tx`.
 * `userId` null: about an account that no longer exists (its purge).
 */
export type AuditPort = Audit;

/** Where a user's pushes go. */
export interface PushTargetsPort {
  /** The push tokens of the user's active devices. */
  pushTargetsIn(tx: Tx, userId: string): Promise<{ token: string; platform: string }[]>;
  /** Forgets a token the push provider reported dead. */
  forgetPushToken(tx: Tx, userId: string, token: string): Promise<void>;
}

/** An account as administration sees it (no profile, no secrets). */
export interface AccountSummary {
  id: string;
  email: string;
  emailVerified: boolean;
  role: Role;
  accountStatus: AccountStatus;
  createdAt: Date;
  lastLoginAt: Date | null;
  purgeAfter: Date | null;
}

/** PATCH /v1/users/me: what changes (absent: unchanged). */
export interface ProfileChanges {
  language?: Language | undefined;
  timeZone?: string | undefined;
  signInAlerts?: boolean | undefined;
  displayName?: string | null | undefined;
  /** Merged key by key; a key set to null is removed. */
  preferences?: object | undefined;
  settings?: object | undefined;
  /** ISO 3166-1 alpha-2; null goes back to the country of the time zone. */
  country?: string | null | undefined;
}

/**
 * The account row (and its profile) as the users module reads and changes it. Every
 * function runs in the caller's transaction.
 */
export interface AccountsPort {
  /** The User every account-facing route answers with (as token pairs carry it). */
  user(tx: Tx, userId: string): Promise<UserDto | undefined>;
  locale(tx: Tx, userId: string): Promise<{ timeZone: string; language: Language } | undefined>;
  /** The account that has this email address, if any (system scope). */
  idByEmail(tx: Tx, email: string): Promise<string | undefined>;
  updateProfile(tx: Tx, userId: string, changes: ProfileChanges, now: Date): Promise<void>;
  /**
   * Follows a change_email link (system scope): the account moves to the new address, now
   * verified, and its other change links stop working. Undefined when the link is not
   * valid, used or expired; throws email-taken (409) when another account has the address.
   */
  confirmEmailChange(
    tx: Tx,
    tokenHash: Buffer,
    now: Date,
  ): Promise<{ userId: string; email: string } | undefined>;

  /** DELETE /v1/users/me: disabled at once, purged at `purgeAfter` unless its owner signs in again. */
  scheduleDeletion(tx: Tx, userId: string, purgeAfter: Date, now: Date): Promise<void>;
  /** Accounts awaiting deletion whose grace period ended at `now` or before, oldest first. */
  dueForPurge(tx: Tx, now: Date, limit: number, skip: string[]): Promise<string[]>;
  /**
   * Locks the account for its purge if it is still due: a sign-in that restores it either
   * committed first (nothing to purge) or waits for the purge and then finds no account.
   */
  lockDueForPurge(tx: Tx, userId: string, now: Date): Promise<boolean>;
  /**
   * Deletes the account row (what references it cascades) and the account's name from
   * other accounts' audit entries (an administrator's `metadata.by`).
   */
  delete(tx: Tx, userId: string): Promise<void>;
  /** Account ids in id order, a page at a time (system scope). */
  idsAfter(tx: Tx, after: string | undefined, limit: number): Promise<string[]>;
  /** An account the deletion ledger says was purged: due for its purge right away. */
  markForPurgeNow(tx: Tx, userId: string, now: Date): Promise<void>;

  /** Newest first, `limit + 1` rows (the extra one says there is a next page). */
  list(
    tx: Tx,
    query: {
      limit: number;
      after?: [string, string] | undefined;
      emailPrefix?: string | undefined;
    },
  ): Promise<AccountSummary[]>;
  find(tx: Tx, userId: string): Promise<AccountSummary | undefined>;
  /** Administration: role, lock and unlock. */
  update(
    tx: Tx,
    userId: string,
    changes: { role?: Role | undefined; accountStatus?: 'active' | 'locked' | undefined },
    now: Date,
  ): Promise<void>;
}

/** The devices an account signed in from, and their push tokens. */
export interface DevicesPort {
  list(tx: Tx, userId: string): Promise<DeviceDto[]>;
  /** Forgets the device (its sessions keep running without it: end them first). */
  delete(tx: Tx, userId: string, id: string): Promise<boolean>;
  /** The device's push token, by the id the app signed in with; undefined: no such device. */
  setPushToken(
    tx: Tx,
    userId: string,
    deviceId: string,
    token: string,
    platform: Platform,
  ): Promise<DeviceDto | undefined>;
  /** System scope: the same token on any other device row (another account) is cleared. */
  clearPushTokenElsewhere(tx: Tx, token: string, keepDeviceRef: string): Promise<void>;
  clearPushToken(tx: Tx, userId: string, deviceId: string): Promise<boolean>;
  /** No push reaches any device of the account. */
  silence(tx: Tx, userId: string): Promise<void>;
}

/** Ending sessions: in the transaction of the change that ends them, then at once everywhere. */
export interface SessionsPort {
  /** Ends the user's live sessions (all, or those of one device) in `tx`; returns their ids. */
  end(
    tx: Tx,
    userId: string,
    filter: { deviceRef?: string },
    reason: string,
    now: Date,
  ): Promise<string[]>;
  /**
   * Stops the access tokens of ended sessions on every replica (the revocation cache). Call
   * once the transaction that ended them has committed.
   */
  revoke(sessionIds: readonly string[]): Promise<void>;
}

/** Email to the account's address (the auth.send-email job), enqueued in `tx`. */
export interface AccountMailPort {
  send(tx: Tx, payload: SendEmailPayload): Promise<void>;
}
