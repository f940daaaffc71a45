// The last step of an upload, once the bytes are stored and passed their checks: one
// transaction of the user's that gives up the quota reservation for the journal's rows,
// records the pre and post check-ins (through the emotions module), emits
// `journals.created`, and answers the detail. Idempotent: a replayed request answers the
// first response and inserts nothing.
import type { AuthContext } from '../../../platform/auth/guard.ts';
import {
  runIdempotent,
  type IdempotencyRequest,
  type IdempotentResult,
} from '../../../platform/idempotency/idempotency.ts';
import { localDate } from '../../../platform/time.ts';
import type { CheckinDto } from '../../emotions/index.ts';
import { toJournalDetail } from '../dto.ts';
import { quotaExceeded } from '../errors.ts';
import * as repo from '../repository.ts';
import type { JournalDetailDto, UploadMetadata } from '../schemas.ts';
import type { JournalsServiceDeps } from '../service.ts';
import type { InspectionResult } from './inspection.ts';
import type { UploadReservation } from './quota.ts';

export interface StoredUpload {
  journalId: string;
  /** Where the bytes are. */
  key: string;
  metadata: UploadMetadata;
  iv: Buffer;
  recordedAt: Date;
  now: Date;
  inspection: InspectionResult;
  reservation: UploadReservation;
}

export async function insertJournal(
  deps: JournalsServiceDeps,
  caller: AuthContext,
  idempotency: IdempotencyRequest | undefined,
  upload: StoredUpload,
): Promise<IdempotentResult<JournalDetailDto>> {
  const { journalId, key, metadata, iv, recordedAt, now, inspection, reservation } = upload;
  return deps.db.asUser(caller.userId, async (tx) => {
    // The reservation gives way to the journal row in this transaction: the quota
    // never counts the recording twice, nor not at all.
    if (!(await reservation.settle(tx, inspection.bytes))) throw quotaExceeded();
    return runIdempotent(tx, caller.userId, idempotency, now, async () => {
      const { timeZone } = await deps.profiles.profileIn(tx, caller.userId);
      await repo.insertJournal(
        tx,
        {
          id: journalId,
          userId: caller.userId,
          title: metadata.title ?? null,
          keyEnvelope: metadata.journal_key ?? null,
          durationSeconds: metadata.duration_seconds,
          recordedAt,
          recordedLocalDate: localDate(recordedAt, timeZone),
          storagePath: key,
          encryptionAlgorithm: metadata.encryption.algorithm,
          encryptionIv: iv,
          dataKeyId: metadata.data_key_id ?? null,
          createdAt: now,
          updatedAt: now,
        },
        {
          journalId,
          userId: caller.userId,
          format: metadata.audio.format,
          sampleRate: metadata.audio.sample_rate,
          bitRate: metadata.audio.bit_rate,
          channels: metadata.audio.channels,
          fileSize: inspection.bytes,
          checksum: inspection.sha256Hex,
        },
      );
      const checkins: CheckinDto[] = [];
      for (const [part, context] of [
        ['pre_checkin', 'pre_journal'],
        ['post_checkin', 'post_journal'],
      ] as const) {
        const input = metadata[part];
        if (!input) continue;
        // The pre check-in happened before recording, the post one after it.
        const at =
          context === 'pre_journal'
            ? recordedAt
            : new Date(
                Math.min(now.getTime(), recordedAt.getTime() + metadata.duration_seconds * 1000),
              );
        checkins.push(
          await deps.emotions.recordIn(
            tx,
            caller.userId,
            {
              ...input,
              context,
              related_journal_id: journalId,
              created_at: at.toISOString(),
            },
            `#/body/metadata/${part}`,
          ),
        );
      }
      await deps.onCreated(tx, {
        userId: caller.userId,
        journalId,
        recordedAt,
        localDate: localDate(recordedAt, timeZone),
        durationSeconds: metadata.duration_seconds,
      });
      const row = await repo.findJournal(tx, caller.userId, journalId);
      if (!row) throw new Error('journal vanished inside its own transaction');
      return toJournalDetail(row, checkins, deps.catalog());
    });
  });
}
