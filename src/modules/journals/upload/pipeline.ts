// What happens when a user uploads a journal (POST /v1/journals). The server keeps
// ciphertext it cannot read, verifies what it can about it, and never loses a recording it
// acknowledged. In order:
//  1. a replayed Idempotency-Key answers the first response (its bytes are drained);
//  2. checks that need no bytes (metadata.ts), and the IV not used before by this user;
//  3. room reserved in the storage quota before any byte is accepted (quota.ts);
//  4. the bytes streamed through the inspector (inspection.ts) to storage, durable before
//     anything points at them, with no transaction open;
//  5. the inspection's verdict on what was received (verdict.ts);
//  6. one transaction for the rows, the linked check-ins and the events, which also gives
//     up the reservation (insert.ts).
// Compensation: a failure after the reservation releases it; a failure after the object
// was written deletes it; a crash leaves at worst an object without a row, which the sweep
// removes (sweep.ts), and a reservation that expires.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AuthContext } from '../../../platform/auth/guard.ts';
import { conflict } from '../../../platform/errors.ts';
import { isUniqueViolation } from '../../../platform/db/errors.ts';
import {
  findIdempotentResponse,
  type IdempotencyRequest,
  type IdempotentResult,
} from '../../../platform/idempotency/idempotency.ts';
import { quotaExceeded, reject, storageCall } from '../errors.ts';
import * as repo from '../repository.ts';
import type { JournalDetailDto, UploadMetadata } from '../schemas.ts';
import type { JournalsServiceDeps } from '../service.ts';
import { CiphertextInspector, LimitExceeded, type InspectionResult } from './inspection.ts';
import { insertJournal } from './insert.ts';
import { checkMetadata } from './metadata.ts';
import { createQuotaReservations, type UploadReservation } from './quota.ts';
import { refusalOf } from './verdict.ts';

// Each upload attempt has an object of its own (not named after the journal, whose id the
// device may choose): a replayed or conflicting upload never touches the first one's bytes.
export const objectKeyOf = (userId: string, objectId: string) =>
  `journals/${userId}/${objectId}.bin`;

const idTaken = () =>
  conflict('id-taken', 'A journal with this id exists already: make a new id and encrypt again');

const ivReused = () =>
  conflict(
    'iv-reused',
    'This IV was already used for one of your recordings; encrypt with a fresh IV',
  );

export function createJournalUpload(deps: JournalsServiceDeps) {
  const { db, clock, storage, settings } = deps;
  const quota = createQuotaReservations({ db, clock, log: deps.log });

  async function upload(
    caller: AuthContext,
    metadata: UploadMetadata,
    audio: Readable,
    idempotency?: IdempotencyRequest,
    request: { declaredBytes?: number | undefined } = {},
  ): Promise<IdempotentResult<JournalDetailDto>> {
    const now = clock.now();
    if (idempotency) {
      const replay = await db.asUser(caller.userId, (tx) =>
        findIdempotentResponse<JournalDetailDto>(tx, caller.userId, idempotency, now),
      );
      if (replay) {
        audio.resume(); // the bytes were stored the first time; let this copy drain
        return { replayed: true, body: replay };
      }
    }
    const { iv, recordedAt } = checkMetadata(deps.emotions, metadata, now);
    const ivTaken = await db.asUser(caller.userId, (tx) => repo.ivUsed(tx, caller.userId, iv));
    if (ivTaken) throw ivReused();
    // Room in the quota is held before any byte is accepted (see quota.ts).
    const reservation = await quota.reserve(
      caller.userId,
      { quotaBytes: settings.quotaBytes(caller.role), maxUploadBytes: settings.maxUploadBytes },
      request.declaredBytes,
    );
    if (!reservation)
      throw reject(
        413,
        'storage-quota-exceeded',
        'Storage quota exceeded',
        'Your recordings fill your storage quota',
      );
    try {
      return await store(caller, metadata, audio, idempotency, {
        now,
        iv,
        recordedAt,
        reservation,
      });
    } catch (error) {
      await reservation.release();
      throw error;
    }
  }

  /** The bytes into storage, their checks, then the rows (the reservation becomes the journal). */
  async function store(
    caller: AuthContext,
    metadata: UploadMetadata,
    audio: Readable,
    idempotency: IdempotencyRequest | undefined,
    held: { now: Date; iv: Buffer; recordedAt: Date; reservation: UploadReservation },
  ): Promise<IdempotentResult<JournalDetailDto>> {
    const journalId = metadata.id ?? randomUUID();
    const { key, inspection } = await receiveChecked(
      caller.userId,
      audio,
      held.reservation,
      metadata.encryption,
    );
    try {
      const result = await insertJournal(deps, caller, idempotency, {
        ...held,
        journalId,
        key,
        metadata,
        inspection,
      });
      // A replayed request wrote its bytes again under a new key: keep only the first.
      if (result.replayed) await storage.delete(key).catch(() => {});
      return result;
    } catch (error) {
      await storage.delete(key).catch(() => {});
      if (isUniqueViolation(error, 'journals_user_iv_key')) throw ivReused();
      if (isUniqueViolation(error, 'journals_pkey')) throw idTaken();
      throw error;
    }
  }

  /**
   * The audio flows through the inspector straight into storage under `key`; an error on
   * either side stops both (the storage then leaves nothing under the key). Past the size
   * limit or the quota, a 413.
   */
  async function receive(
    key: string,
    audio: Readable,
    reservation: UploadReservation,
  ): Promise<InspectionResult> {
    const inspector = new CiphertextInspector({
      maxBytes: settings.maxUploadBytes,
      quota: reservation,
    });
    audio.on('error', (error) => inspector.destroy(error));
    const body = audio.pipe(inspector);
    // The storage attaches its own listeners only once it is ready to write (after creating
    // directories, say); an error before that must not be an uncaught exception. It still
    // reaches the storage, which sees the stream errored and rejects.
    body.on('error', () => {});
    try {
      await storageCall(() => storage.put(key, body));
    } catch (error) {
      await storage.delete(key).catch(() => {});
      if (error instanceof LimitExceeded) {
        throw error.limit === 'size'
          ? reject(
              413,
              'payload-too-large',
              'Recording too large',
              `A recording may be at most ${settings.maxUploadBytes} bytes`,
            )
          : quotaExceeded();
      }
      throw error;
    }
    return inspector.result();
  }

  /**
   * Steps 4 and 5: the bytes into a new object of the user's, then the verdict on them; a
   * refused recording's object is deleted.
   */
  async function receiveChecked(
    userId: string,
    audio: Readable,
    reservation: UploadReservation,
    declared: UploadMetadata['encryption'],
  ): Promise<{ key: string; inspection: InspectionResult }> {
    const key = objectKeyOf(userId, randomUUID());
    const inspection = await receive(key, audio, reservation);
    const refusal = refusalOf(inspection, {
      checksum: declared.checksum_sha256,
      algorithm: declared.algorithm,
    });
    if (refusal) {
      await storage.delete(key).catch(() => {});
      throw refusal;
    }
    return { key, inspection };
  }

  return { upload, receiveChecked, quota, ivReused };
}
