// The AccountsPort (ports.ts): the account row and its profile as the users module reads and
// changes them (profile, email change, deferred deletion, administration). The rules of
// those use cases are the users module's; what is written, and how, is this module's.
import { isUniqueViolation } from '../../../platform/db/errors.ts';
import type { AccountsPort } from '../ports.ts';
import { emailTaken } from '../deps.ts';
import { toUserDto } from '../dto.ts';
import * as repo from '../repository.ts';
import { forgetActor } from '../security-events/repository.ts';
import * as accountsRepo from './repository.ts';

export function createAccountsPort(): AccountsPort {
  return {
    async user(tx, userId) {
      const row = await repo.findUserById(tx, userId);
      return row ? toUserDto(row) : undefined;
    },
    locale: (tx, userId) => repo.findLocale(tx, userId),
    idByEmail: (tx, email) => accountsRepo.findIdByEmail(tx, email),

    async updateProfile(tx, userId, changes, now) {
      await repo.updateUserFields(
        tx,
        userId,
        {
          ...(changes.language ? { languagePreference: changes.language } : {}),
          ...(changes.timeZone ? { timeZone: changes.timeZone } : {}),
          ...(changes.signInAlerts !== undefined ? { signInAlerts: changes.signInAlerts } : {}),
        },
        now,
      );
      await accountsRepo.updateProfile(
        tx,
        userId,
        {
          ...(changes.displayName !== undefined ? { displayName: changes.displayName } : {}),
          ...(changes.preferences ? { preferences: changes.preferences } : {}),
          ...(changes.settings ? { settings: changes.settings } : {}),
          ...(changes.country !== undefined ? { country: changes.country } : {}),
        },
        now,
      );
    },

    async confirmEmailChange(tx, tokenHash, now) {
      const claimed = await repo.claimActionToken(tx, tokenHash, 'change_email', now);
      if (!claimed?.newEmail) return undefined;
      try {
        await repo.updateUserFields(
          tx,
          claimed.userId,
          { email: claimed.newEmail, emailVerified: true, emailVerifiedAt: now },
          now,
        );
      } catch (error) {
        // Someone registered with that address between the request and the confirmation.
        if (isUniqueViolation(error, 'users_email_key')) throw emailTaken();
        throw error;
      }
      await repo.expireActionTokens(tx, claimed.userId, 'change_email', now);
      return { userId: claimed.userId, email: claimed.newEmail };
    },

    async scheduleDeletion(tx, userId, purgeAfter, now) {
      await repo.updateUserFields(
        tx,
        userId,
        { accountStatus: 'pending_deletion', deletionRequestedAt: now, purgeAfter },
        now,
      );
    },
    dueForPurge: (tx, now, limit, skip) => accountsRepo.dueForPurge(tx, now, limit, skip),
    lockDueForPurge: (tx, userId, now) => accountsRepo.lockDueForPurge(tx, userId, now),
    async delete(tx, userId) {
      await forgetActor(tx, userId);
      await accountsRepo.deleteUser(tx, userId);
    },
    idsAfter: (tx, after, limit) => accountsRepo.userIdsAfter(tx, after, limit),
    markForPurgeNow: (tx, userId, now) => accountsRepo.markForPurgeNow(tx, userId, now),

    list: (tx, query) => accountsRepo.listUsers(tx, query),
    find: (tx, userId) => accountsRepo.findAccountById(tx, userId),
    async update(tx, userId, changes, now) {
      await repo.updateUserFields(
        tx,
        userId,
        {
          ...(changes.role ? { role: changes.role } : {}),
          ...(changes.accountStatus ? { accountStatus: changes.accountStatus } : {}),
        },
        now,
      );
    },
  };
}
