// Background jobs of the auth module. The email job creates its one-time token when it
// runs (the token never sits in the job table), stores only its hash, and then sends.
import { Type, type Static } from 'typebox';
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { JobDefinition } from '../../platform/jobs/jobs.ts';
import { renderEmail } from '../../platform/mail/render.ts';
import { randomToken, sha256 } from '../../platform/crypto/secrets.ts';
import * as repo from './repository.ts';

export const SendEmailPayload = Type.Object({
  user_id: Type.String({ format: 'uuid' }),
  kind: Type.Union([Type.Literal('verify_email'), Type.Literal('reset_password')]),
});
export type SendEmailPayload = Static<typeof SendEmailPayload>;

const LIFETIME_MS = { verify_email: 24 * 60 * 60 * 1000, reset_password: 60 * 60 * 1000 } as const;
const LINK_PATH = { verify_email: 'verify-email', reset_password: 'reset-password' } as const;

export function sendEmailJob(deps: {
  db: Database;
  clock: Clock;
  mailer: Mailer;
  appLinkBaseUrl: string;
  log: Logger;
}): JobDefinition<typeof SendEmailPayload> {
  return {
    name: 'auth.send-email',
    payload: SendEmailPayload,
    retryLimit: 8,
    retryDelaySeconds: 15,
    async handler({ user_id: userId, kind }) {
      const now = deps.clock.now();
      const token = randomToken(32);
      const recipient = await deps.db.asSystem(async (tx) => {
        const found = await repo.findMailRecipient(tx, userId);
        if (!found || found.accountStatus !== 'active') return undefined;
        if (kind === 'verify_email' && found.emailVerified) return undefined;
        await repo.insertActionToken(tx, {
          userId,
          purpose: kind,
          tokenHash: sha256(token),
          expiresAt: new Date(now.getTime() + LIFETIME_MS[kind]),
          createdAt: now,
        });
        return found;
      });
      if (!recipient) return; // deleted, locked or already verified: nothing to send
      // The token travels in the fragment: browsers and proxies never send it to a server log.
      const link = `${deps.appLinkBaseUrl}/${LINK_PATH[kind]}#token=${token}`;
      await deps.mailer.send(
        renderEmail(kind, recipient.language, recipient.email, {
          name: recipient.displayName,
          link,
        }),
      );
    },
  };
}
