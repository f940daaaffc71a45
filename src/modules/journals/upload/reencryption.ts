// Replacing a journal's audio with a re-encryption made on the device (PUT
// /v1/journals/{id}/audio): how the SDK moves a whole-file recording to segments, and a
// recording without a key of its own to one (docs/encryption.md, "Recordings from before").
// The steps are the upload's (pipeline.ts): checks without bytes, room in the quota (the
// recording being replaced counts as free), the bytes through the inspector into a new
// object, the verdict; then one transaction that points the journal at the new object.
// The old object is deleted after the commit (the sweep removes it if that fails).
import type { Readable } from 'node:stream';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { isUniqueViolation } from '../../../platform/db/errors.ts';
import { notFound } from '../../../platform/errors.ts';
import { quotaExceeded, reject } from '../errors.ts';
import * as repo from '../repository.ts';
import type { ReencryptionMetadata } from '../schemas.ts';
import type { JournalsServiceDeps } from '../service.ts';
import { ivOf } from './metadata.ts';
import type { createJournalUpload } from './pipeline.ts';

type Pipeline = ReturnType<typeof createJournalUpload>;

/** The key rules, against the journal as it is: 422 naming the field otherwise. */
function checkKeys(
  journal: Pick<repo.JournalRow, 'keyEnvelope' | 'title' | 'titlePlaintext'>,
  metadata: ReencryptionMetadata,
): void {
  if (journal.keyEnvelope && metadata.journal_key) {
    throw reject(
      422,
      'journal-key-fixed',
      'The journal has its key',
      'This journal has a key of its own: encrypt with it and send no journal_key',
      '#/body/metadata/journal_key',
    );
  }
  if (!journal.keyEnvelope && !metadata.journal_key) {
    throw reject(
      422,
      'journal-key-required',
      'A journal key is needed',
      'This journal has no key of its own yet: send its new key, wrapped, as journal_key',
      '#/body/metadata/journal_key',
    );
  }
  // A title encrypted under the data key cannot stay when the journal gets its own key.
  const titleUnderOldKey =
    !journal.keyEnvelope && journal.title !== null && !journal.titlePlaintext;
  if (titleUnderOldKey && metadata.title === undefined) {
    throw reject(
      422,
      'title-required',
      'The title must move to the new key',
      'Encrypt the title under the new journal key and send it as title (or null to remove it)',
      '#/body/metadata/title',
    );
  }
}

export function createJournalReencryption(deps: JournalsServiceDeps, pipeline: Pipeline) {
  const { db, clock, storage, settings } = deps;

  async function replaceAudio(
    caller: AuthContext,
    id: string,
    metadata: ReencryptionMetadata,
    audio: Readable,
    request: { declaredBytes?: number | undefined } = {},
  ): Promise<void> {
    const { userId } = caller;
    const iv = ivOf(metadata.encryption);
    const current = await db.asUser(userId, async (tx) => {
      const row = await repo.findJournal(tx, userId, id);
      if (row && (await repo.ivUsed(tx, userId, iv))) throw pipeline.ivReused();
      return row;
    });
    if (!current) throw notFound('journal');
    checkKeys(current, metadata);
    const reservation = await pipeline.quota.reserve(
      userId,
      { quotaBytes: settings.quotaBytes(caller.role), maxUploadBytes: settings.maxUploadBytes },
      request.declaredBytes,
      current.audio.fileSize,
    );
    if (!reservation) throw quotaExceeded();
    let key: string | undefined;
    let replaced: string | undefined;
    try {
      const received = await pipeline.receiveChecked(
        userId,
        audio,
        reservation,
        metadata.encryption,
      );
      key = received.key;
      replaced = await db.asUser(userId, async (tx) => {
        const row = await repo.lockJournal(tx, userId, id);
        if (!row) throw notFound('journal');
        checkKeys(row, metadata); // it may have changed while the bytes streamed
        if (!(await reservation.settle(tx, received.inspection.bytes))) throw quotaExceeded();
        await repo.replaceAudio(tx, userId, id, {
          storagePath: received.key,
          encryptionAlgorithm: metadata.encryption.algorithm,
          encryptionIv: iv,
          keyEnvelope: metadata.journal_key,
          title: metadata.title,
          fileSize: received.inspection.bytes,
          checksum: received.inspection.sha256Hex,
          now: clock.now(),
        });
        return row.storagePath;
      });
    } catch (error) {
      await reservation.release();
      if (key) await storage.delete(key).catch(() => {});
      if (isUniqueViolation(error, 'journals_user_iv_key')) throw pipeline.ivReused();
      throw error;
    }
    await storage
      .delete(replaced)
      .catch((error: unknown) =>
        deps.log.warn({ err: error }, 'replaced recording not deleted; the sweep will'),
      );
  }

  return { replaceAudio };
}
