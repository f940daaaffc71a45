// Changing the account's email address: asked for in a re-authenticated session, it
// happens only when the link sent to the new address is followed; the old address is told
// at once, so a stolen session cannot quietly move the account elsewhere.
import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { sha256 } from '../../../platform/crypto/secrets.ts';
import { AppError, conflict, notFound } from '../../../platform/errors.ts';
import {
  normalizeEmail,
  type AccountMailPort,
  type AccountsPort,
  type AuditPort,
} from '../../auth/index.ts';

export interface EmailChangeDeps {
  db: Database;
  clock: Clock;
  accounts: Pick<AccountsPort, 'idByEmail' | 'user' | 'confirmEmailChange'>;
  mail: AccountMailPort;
  audit: AuditPort;
}

const emailTaken = () => conflict('email-taken', 'An account with this email already exists');

/** "m•••a@example.com": enough for the owner to recognise, not enough to read out. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const visible = local.length <= 2 ? local.slice(0, 1) : `${local[0]}•••${local.slice(-1)}`;
  return `${visible}@${domain}`;
}

export function createEmailChangeService(deps: EmailChangeDeps) {
  const { db, clock, accounts, mail, audit } = deps;

  return {
    /** Step-up route. Sends the confirmation link to the new address and a notice to the old. */
    async request(caller: AuthContext, newEmailInput: string, meta: RequestMeta): Promise<void> {
      const newEmail = normalizeEmail(newEmailInput);
      // Another account's address: said plainly, as registration does. (Checked again, by the
      // unique index, when the change is confirmed.)
      const owner = await db.asSystem((tx) => accounts.idByEmail(tx, newEmail));
      if (owner && owner !== caller.userId) throw emailTaken();
      await db.asUser(caller.userId, async (tx) => {
        const current = await accounts.user(tx, caller.userId);
        if (!current) throw notFound('user');
        if (current.email === newEmail) {
          throw conflict('email-unchanged', 'This is already the email address of the account');
        }
        await mail.send(tx, { user_id: caller.userId, kind: 'change_email', new_email: newEmail });
        await mail.send(tx, {
          user_id: caller.userId,
          kind: 'email_change_notice',
          facts: { new_email: maskEmail(newEmail), time: clock.now().toISOString() },
        });
        await audit(tx, caller.userId, 'email_change_requested', meta);
      });
    },

    /** Public: the token from the link proves the new address is theirs. */
    async confirm(token: string, meta: RequestMeta) {
      const now = clock.now();
      const email = await db.asSystem(async (tx) => {
        // 409 email-taken when someone registered with that address meanwhile.
        const changed = await accounts.confirmEmailChange(tx, sha256(token), now);
        if (!changed) return undefined;
        await audit(tx, changed.userId, 'email_changed', meta);
        return changed.email;
      });
      if (!email) {
        throw new AppError(400, 'action-token-invalid', 'Link not valid', {
          detail: 'This link is not valid, was already used or has expired; ask for a new one',
        });
      }
      return { email };
    },
  };
}

export type EmailChangeService = ReturnType<typeof createEmailChangeService>;
