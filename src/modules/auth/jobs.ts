// Background jobs of the auth module, all declared here (authJobs is the list index.ts
// registers): the email to an account's address, the password-reset request and the
// hourly cleanup of sign-in challenges. The email job creates its one-time token when it
// runs (the token never sits in the job table), stores only its hash, and then sends.
import { Type, type Static } from 'typebox';
import type { Logger } from 'pino';
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import {
  NoPayload,
  type DeclaredJob,
  type JobDefinition,
  type Jobs,
  type Schedule,
} from '../../platform/jobs/jobs.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { securityAudit } from './security-events/service.ts';
import { localTime, renderEmail } from '../../platform/mail/render.ts';
import { StringEnum } from '../../platform/http/schemas.ts';
import { randomToken, sha256 } from '../../platform/crypto/secrets.ts';
import * as repo from './repository.ts';
import type { AccountStatus } from './values.ts';
import { deleteExpiredChallenges } from './mfa/repository.ts';

/** Emails that carry a single-use link (its token is made when the job runs). */
const LINK_KINDS = ['verify_email', 'reset_password', 'change_email'] as const;
/** Emails that only tell the user something (facts come with the job). */
const NOTICE_KINDS = [
  'email_change_notice',
  'sign_in_alert',
  'account_deletion_scheduled',
  'data_export_ready',
] as const;
type LinkKind = (typeof LINK_KINDS)[number];
export type EmailKind = LinkKind | (typeof NOTICE_KINDS)[number];

export const SendEmailPayload = Type.Object({
  user_id: Type.String({ format: 'uuid' }),
  kind: StringEnum([...LINK_KINDS, ...NOTICE_KINDS]),
  /** Values the email shows (never secrets): a time, a device, an address. */
  facts: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** change_email: the address the account moves to (the email goes there, not to the account's). */
  new_email: Type.Optional(Type.String()),
});
export type SendEmailPayload = Static<typeof SendEmailPayload>;

const LIFETIME_MS: Record<LinkKind, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  reset_password: 60 * 60 * 1000,
  change_email: 24 * 60 * 60 * 1000,
};
const LINK_PATH: Record<LinkKind, string> = {
  verify_email: 'verify-email',
  reset_password: 'reset-password',
  change_email: 'confirm-email-change',
};
/** Where notice emails point the user (the app's screens). */
const NOTICE_PATH: Record<Exclude<EmailKind, LinkKind>, string> = {
  email_change_notice: 'settings/security',
  sign_in_alert: 'settings/sessions',
  account_deletion_scheduled: 'settings/account',
  data_export_ready: 'settings/privacy',
};

/** Locked accounts get nothing; one awaiting deletion hears about it and may reset its password. */
const MAY_RECEIVE: Record<EmailKind, AccountStatus[]> = {
  verify_email: ['active'],
  reset_password: ['active', 'pending_deletion'],
  change_email: ['active'],
  email_change_notice: ['active'],
  sign_in_alert: ['active'],
  account_deletion_scheduled: ['pending_deletion'],
  data_export_ready: ['active'],
};

const isLinkKind = (kind: EmailKind): kind is LinkKind =>
  (LINK_KINDS as readonly string[]).includes(kind);

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
    async handler({ user_id: userId, kind, facts, new_email: newEmail }) {
      const now = deps.clock.now();
      const token = randomToken(32);
      const recipient = await deps.db.asSystem(async (tx) => {
        const found = await repo.findMailRecipient(tx, userId);
        if (!found) return undefined;
        // A deletion notice goes to an account that is already disabled; nothing else does.
        if (!MAY_RECEIVE[kind].includes(found.accountStatus)) return undefined;
        if (kind === 'verify_email' && found.emailVerified) return undefined;
        if (kind === 'change_email' && !newEmail) return undefined;
        if (isLinkKind(kind)) {
          await repo.insertActionToken(tx, {
            userId,
            purpose: kind,
            tokenHash: sha256(token),
            newEmail: kind === 'change_email' ? newEmail : null,
            expiresAt: new Date(now.getTime() + LIFETIME_MS[kind]),
            createdAt: now,
          });
        }
        return found;
      });
      if (!recipient) return; // deleted, locked or already verified: nothing to send
      // The token travels in the fragment: browsers and proxies never send it to a server log.
      const link = isLinkKind(kind)
        ? `${deps.appLinkBaseUrl}/${LINK_PATH[kind]}#token=${token}`
        : `${deps.appLinkBaseUrl}/${NOTICE_PATH[kind]}`;
      const to = kind === 'change_email' && newEmail ? newEmail : recipient.email;
      await deps.mailer.send(
        renderEmail(kind, recipient.language, to, {
          ...facts,
          ...(facts?.time
            ? { time: localTime(facts.time, recipient.language, recipient.timeZone) }
            : {}),
          name: recipient.displayName,
          link,
        }),
      );
    },
  };
}

export const PasswordResetRequestPayload = Type.Object({
  /** The email, the caller's address and user agent and the time, sealed with the app secret. */
  request: Type.String(),
});
const RESET_REQUEST_PURPOSE = 'password-reset-request';

interface ResetRequest {
  email: string;
  ip: string | null;
  user_agent: string | null;
  requested_at: string;
}

/**
 * The payload of a password-reset request: sealed (AES-256-GCM under a key derived from
 * the app secret, a fresh IV each time), so the job table holds no email, and two requests
 * for one address do not even look alike there.
 */
export function sealResetRequest(
  secrets: Secrets,
  email: string,
  meta: RequestMeta,
  now: Date,
): Static<typeof PasswordResetRequestPayload> {
  const request: ResetRequest = {
    email,
    ip: meta.ip,
    user_agent: meta.userAgent,
    requested_at: now.toISOString(),
  };
  return { request: secrets.seal(RESET_REQUEST_PURPOSE, JSON.stringify(request)) };
}

/**
 * POST /v1/auth/reset-password does the same work for every email (two budgets, this job);
 * the account is looked up here, out of the request, so neither the answer nor its time
 * tells whether the email has an account. A known, unlocked account gets the audit entry
 * (at the time of the request) and the reset email.
 */
export function passwordResetRequestJob(deps: {
  db: Database;
  secrets: Secrets;
  jobs: Pick<Jobs, 'enqueue'>;
  sendEmailJob: JobDefinition<typeof SendEmailPayload>;
}): JobDefinition<typeof PasswordResetRequestPayload> {
  return {
    name: 'auth.password-reset-request',
    payload: PasswordResetRequestPayload,
    retryLimit: 8,
    retryDelaySeconds: 15,
    async handler({ request }) {
      const opened = JSON.parse(deps.secrets.open(RESET_REQUEST_PURPOSE, request)) as ResetRequest;
      const requestedAt = new Date(opened.requested_at);
      await deps.db.asSystem(async (tx) => {
        const account = await repo.findAccountStatusByEmail(tx, opened.email);
        // An account awaiting deletion may reset its password: signing in is how it is kept.
        if (!account || account.accountStatus === 'locked') return;
        await securityAudit({ now: () => requestedAt })(
          tx,
          account.id,
          'password_reset_requested',
          { ip: opened.ip, userAgent: opened.user_agent },
        );
        await deps.jobs.enqueue(tx, deps.sendEmailJob, {
          user_id: account.id,
          kind: 'reset_password',
        });
      });
    },
  };
}

/** Removes sign-in challenges (MFA step) a day after they expired: they are worth nothing. */
export function mfaChallengeCleanupJob(deps: {
  db: Database;
  clock: Clock;
}): JobDefinition<typeof NoPayload> {
  return {
    name: challengeCleanup.job,
    payload: NoPayload,
    policy: 'exclusive',
    async handler() {
      const before = new Date(deps.clock.now().getTime() - 24 * 60 * 60 * 1000);
      await deps.db.asSystem((tx) => deleteExpiredChallenges(tx, before));
    },
  };
}

/** The module's schedules (cron in UTC), for the operators' table (src/modules/schedules.ts). */
export const authSchedules = [
  {
    job: 'auth.mfa-challenge-cleanup',
    cron: '53 * * * *',
    description: 'deletes sign-in MFA challenges a day after they expired',
  },
] as const satisfies readonly Schedule[];
const [challengeCleanup] = authSchedules;

/** Every job of the auth module, as index.ts registers them (in this order). */
export function authJobs(deps: {
  db: Database;
  clock: Clock;
  mailer: Mailer;
  appLinkBaseUrl: string;
  secrets: Secrets;
  jobs: Pick<Jobs, 'enqueue'>;
  log: Logger;
}) {
  const sendEmail = sendEmailJob(deps);
  const passwordResetRequest = passwordResetRequestJob({ ...deps, sendEmailJob: sendEmail });
  const mfaChallengeCleanup = mfaChallengeCleanupJob(deps);
  const declared: DeclaredJob[] = [
    { definition: sendEmail },
    { definition: passwordResetRequest },
    { definition: mfaChallengeCleanup, schedule: challengeCleanup },
  ];
  return { sendEmail, passwordResetRequest, mfaChallengeCleanup, declared };
}
