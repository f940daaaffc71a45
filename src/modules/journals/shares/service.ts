// Share links (docs/encryption.md, sharing): the owner creates, lists and revokes them; a
// recipient without an account reads what the share page needs and downloads the
// ciphertext through one. The server never holds the key: it travels in the link's
// fragment. Every event is in the owner's security events.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { violatedUniqueConstraint } from '../../../platform/db/errors.ts';
import {
  AppError,
  conflict,
  notFound,
  serviceUnavailable,
  unprocessable,
} from '../../../platform/errors.ts';
import type { RequestMeta } from '../../../platform/http/request-meta.ts';
import { storageCall } from '../errors.ts';
import type { JournalsServiceDeps } from '../service.ts';
import * as repo from './repository.ts';
import { statusOf, toShareDto } from './dto.ts';
import {
  SHARE_DEFAULT_DAYS,
  SHARES_PER_JOURNAL,
  type CreateShareBody,
  type PublicShareDto,
  type ShareDto,
  type ShareStatus,
} from './schemas.ts';

const DAY_MS = 86_400_000;
/** The recipient's address and browser are theirs, not the owner's: never recorded. */
const RECIPIENT: RequestMeta = { ip: null, userAgent: null };

const GONE: Record<Exclude<ShareStatus, 'active'>, [string, string]> = {
  revoked: ['share-revoked', 'The person who shared this recording withdrew the link'],
  expired: ['share-expired', 'This link has expired'],
  exhausted: ['share-exhausted', 'This link has been used as many times as it allowed'],
};

const gone = (status: Exclude<ShareStatus, 'active'>) =>
  new AppError(410, GONE[status][0], 'The share no longer opens', { detail: GONE[status][1] });

const shareNotFound = () =>
  new AppError(404, 'share-not-found', 'Not found', { detail: 'No share has this id' });

export function createJournalShares(deps: JournalsServiceDeps) {
  const { db, clock, storage, settings } = deps;

  const toDto = (row: repo.ShareRow, now: Date) => toShareDto(row, now, settings.appLinkBaseUrl);

  async function createShare(
    caller: AuthContext,
    journalId: string,
    body: CreateShareBody,
    meta: RequestMeta,
  ): Promise<ShareDto> {
    if (body.label && !body.id) {
      throw unprocessable('id-required', 'A label is bound to its share: send the id too', [
        { pointer: '#/body/id', message: 'required with label' },
      ]);
    }
    const now = clock.now();
    const id = body.id ?? randomUUID();
    const days = body.expires_in_days ?? SHARE_DEFAULT_DAYS;
    try {
      const row = await db.asUser(caller.userId, async (tx) => {
        const journal = await repo.shareableJournal(tx, caller.userId, journalId, { lock: true });
        if (!journal) throw notFound('journal');
        if (!journal.keyEnvelope) {
          throw conflict(
            'journal-key-required',
            'This recording was made before recordings had keys of their own, so sharing it ' +
              "would mean sharing the account's key: re-upload it with a journal key first",
          );
        }
        if ((await repo.countActive(tx, journalId, now)) >= SHARES_PER_JOURNAL) {
          throw conflict(
            'too-many-shares',
            `A recording can have ${SHARES_PER_JOURNAL} open share links at most: revoke one first`,
          );
        }
        const share = await repo.insertShare(tx, {
          id,
          journalId,
          userId: caller.userId,
          label: body.label ?? null,
          expiresAt: new Date(now.getTime() + days * DAY_MS),
          maxDownloads: body.max_downloads ?? null,
          createdAt: now,
        });
        await deps.audit(tx, caller.userId, 'journal_share_created', meta, {
          share_id: id,
          journal_id: journalId,
          expires_at: share.expiresAt.toISOString(),
          max_downloads: share.maxDownloads,
        });
        return share;
      });
      return toDto(row, now);
    } catch (error) {
      if (violatedUniqueConstraint(error) === 'journal_shares_pkey') {
        throw conflict('id-taken', 'A share with this id exists already: make a new id');
      }
      throw error;
    }
  }

  async function listShares(caller: AuthContext, journalId: string) {
    const now = clock.now();
    const rows = await db.asUser(caller.userId, async (tx) => {
      const owned = await repo.shareableJournal(tx, caller.userId, journalId);
      if (!owned) throw notFound('journal');
      return repo.listShares(tx, caller.userId, journalId, 100);
    });
    return { items: rows.map((row) => toDto(row, now)) };
  }

  async function revokeShare(
    caller: AuthContext,
    journalId: string,
    shareId: string,
    meta: RequestMeta,
  ): Promise<ShareDto> {
    const now = clock.now();
    const row = await db.asUser(caller.userId, async (tx) => {
      const share = await repo.revokeShare(tx, caller.userId, journalId, shareId, now);
      if (!share) throw notFound('share');
      await deps.audit(tx, caller.userId, 'journal_share_revoked', meta, {
        share_id: shareId,
        journal_id: journalId,
      });
      return share;
    });
    return toDto(row, now);
  }

  /** The share and its journal if the share opens; the reason as a problem otherwise. */
  function opening(found: repo.SharedJournal | undefined): repo.SharedJournal {
    if (!found) throw shareNotFound();
    const status = found.journal.isDeleted ? 'revoked' : statusOf(found.share, clock.now());
    if (status !== 'active') throw gone(status);
    return found;
  }

  /** GET /v1/shares/{id}: what the share page needs before downloading (does not count). */
  async function describeShare(shareId: string): Promise<PublicShareDto> {
    const { share, journal, audio } = opening(
      await db.asSystem((tx) => repo.findSharedJournal(tx, shareId)),
    );
    return {
      id: share.id,
      journal_id: journal.id,
      // A title still in plaintext (written before E2E text) is never handed out.
      title: journal.titlePlaintext ? null : journal.title,
      duration_seconds: journal.durationSeconds,
      recorded_at: journal.recordedAt.toISOString(),
      expires_at: share.expiresAt.toISOString(),
      downloads_left: share.maxDownloads === null ? null : share.maxDownloads - share.downloads,
      encryption: {
        algorithm: journal.encryptionAlgorithm,
        iv: journal.encryptionIv.toString('base64'),
      },
      audio: { format: audio.format, file_size: audio.fileSize, checksum_sha256: audio.checksum },
    };
  }

  /**
   * GET /v1/shares/{id}/audio: the whole ciphertext, counted as one download. Reading the
   * share, the count, the owner's security event and opening the object happen in one
   * transaction: when storage cannot answer, nothing is counted.
   */
  async function downloadShared(
    shareId: string,
  ): Promise<{ stream: Readable; size: number; checksum: string }> {
    // One transaction: read, count, record, open.
    return db.asSystem(async (tx) => {
      const { share, journal, audio } = opening(await repo.findSharedJournal(tx, shareId));
      const downloads = await repo.countDownload(tx, shareId, clock.now());
      if (downloads === undefined) {
        // Another download took the last one, or the owner revoked it meanwhile.
        const now = await repo.findSharedJournal(tx, shareId);
        const status = now ? statusOf(now.share, clock.now()) : 'revoked';
        throw gone(status === 'active' ? 'exhausted' : status);
      }
      await deps.audit(tx, share.userId, 'journal_share_downloaded', RECIPIENT, {
        share_id: shareId,
        journal_id: journal.id,
        downloads,
        max_downloads: share.maxDownloads,
      });
      const stream = await storageCall(() => storage.get(journal.storagePath));
      if (!stream) throw serviceUnavailable('audio storage', 30);
      return { stream, size: audio.fileSize, checksum: audio.checksum };
    });
  }

  return { createShare, listShares, revokeShare, describeShare, downloadShared };
}
