// Voice journals: the server keeps ciphertext it cannot read, verifies what it can about
// it, and never loses a recording it acknowledged. Order of a create: checks that need no
// bytes; room reserved in the storage quota (quota.ts); the bytes streamed to storage
// (durable before anything points at them); checks of what was received; then one
// transaction for the rows, the linked check-ins and the events, which also gives up the
// reservation. A failure after the object was written deletes it; a crash leaves at worst an
// object without a row, which the sweep removes.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import type { Logger } from 'pino';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import type { ByteRange, ObjectStorage } from '../../platform/storage/storage.ts';
import {
  AppError,
  conflict,
  notFound,
  serviceUnavailable,
  unprocessable,
} from '../../platform/errors.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import {
  findIdempotentResponse,
  forgetDeletedResults,
  runIdempotent,
  type IdempotencyRequest,
  type IdempotentResult,
} from '../../platform/idempotency/idempotency.ts';
import { localDate } from '../../platform/time.ts';
import type { AuditPort, EmotionsService, UserProfilePort } from '../emotions/service.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import type { EmotionCatalog } from '../emotions/catalog.ts';
import type { CheckinDto } from '../emotions/schemas.ts';
import {
  CiphertextInspector,
  LimitExceeded,
  MIN_CIPHERTEXT_BYTES,
  entropyTooLow,
} from './inspection.ts';
import { createDownloadLinks } from '../../platform/storage/download-links.ts';
import { EXPORT_LINK_PURPOSE } from './export-links.ts';
import { createQuotaReservations, type UploadReservation } from './quota.ts';
import * as repo from './repository.ts';
import type { JournalWithAudio } from './repository.ts';
import type {
  ExportLinkDto,
  JournalDetailDto,
  JournalDto,
  JournalFilter,
  UploadMetadata,
} from './schemas.ts';

export interface JournalCreatedEvent {
  userId: string;
  journalId: string;
  recordedAt: Date;
  localDate: string;
  durationSeconds: number;
}

/** Every journal of a user was deleted at their request (DELETE /v1/journals). */
export interface JournalsDeletedEvent {
  userId: string;
  count: number;
}

export interface JournalsSettings {
  maxUploadBytes: number;
  quotaBytes: (role: AuthContext['role']) => number;
  retentionDays: number;
  exportLinkTtlSeconds: number;
  publicBaseUrl: string;
}

export interface JournalsServiceDeps {
  db: Database;
  clock: Clock;
  storage: ObjectStorage;
  secrets: Secrets;
  emotions: EmotionsService;
  catalog: () => EmotionCatalog;
  profiles: UserProfilePort;
  settings: JournalsSettings;
  log: Logger;
  onCreated: (tx: Tx, event: JournalCreatedEvent) => Promise<void>;
  /** Called inside the transaction that deleted every journal of a user (progress listens). */
  onAllDeleted: (tx: Tx, event: JournalsDeletedEvent) => Promise<void>;
  audit: AuditPort;
}

const CLOCK_SKEW_MS = 2 * 60 * 1000;
export const objectKeyOf = (userId: string, journalId: string) =>
  `journals/${userId}/${journalId}.bin`;
export const exportKeyOf = (userId: string, exportId: string) =>
  `exports/${userId}/${exportId}.zip`;

const reject = (status: number, code: string, title: string, detail: string, pointer?: string) =>
  new AppError(status, code, title, {
    detail,
    ...(pointer ? { errors: [{ pointer, message: detail }] } : {}),
  });

const quotaExceeded = () =>
  reject(
    413,
    'storage-quota-exceeded',
    'Storage quota exceeded',
    'This recording does not fit in your storage quota',
  );

/** Storage errors become a 503 that tells the client to come back; the rest is unchanged. */
async function storageCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError || error instanceof LimitExceeded) throw error;
    throw serviceUnavailable('audio storage', 10, error);
  }
}

export function createJournalsService(deps: JournalsServiceDeps) {
  const { db, clock, storage, settings } = deps;
  const quota = createQuotaReservations({ db, clock, log: deps.log });
  const links = createDownloadLinks({
    secrets: deps.secrets,
    storage,
    clock,
    purpose: EXPORT_LINK_PURPOSE,
    routeUrl: `${settings.publicBaseUrl}/v1/journals/exports/`,
  });

  function toDto(row: JournalWithAudio): JournalDto {
    return {
      id: row.id,
      title: row.title,
      duration_seconds: row.durationSeconds,
      recorded_at: row.recordedAt.toISOString(),
      recorded_local_date: row.recordedLocalDate,
      created_at: row.createdAt.toISOString(),
      is_favorite: row.isFavorite,
      data_key_id: row.dataKeyId,
      encryption: { algorithm: row.encryptionAlgorithm, iv: row.encryptionIv.toString('base64') },
      audio: {
        format: row.audio.format,
        sample_rate: row.audio.sampleRate,
        bit_rate: row.audio.bitRate,
        channels: row.audio.channels,
        file_size: row.audio.fileSize,
        checksum_sha256: row.audio.checksum,
      },
    };
  }

  function detailOf(row: JournalWithAudio, checkins: CheckinDto[]): JournalDetailDto {
    const pre = checkins.find((c) => c.context === 'pre_journal') ?? null;
    const post = [...checkins].reverse().find((c) => c.context === 'post_journal') ?? null;
    const others = checkins.filter((c) => c !== pre && c !== post);
    let shift: JournalDetailDto['emotional_shift'] = null;
    const catalog = deps.catalog();
    const preType = pre ? catalog.byId(pre.emotion_type_id) : undefined;
    const postType = post ? catalog.byId(post.emotion_type_id) : undefined;
    if (pre && post && preType && postType) {
      const round = (n: number) => Number(n.toFixed(3));
      shift = {
        valence_change: round(postType.valence - preType.valence),
        intensity_change: post.intensity - pre.intensity,
        affect_change: round(
          (postType.valence * post.intensity) / 10 - (preType.valence * pre.intensity) / 10,
        ),
      };
    }
    return { ...toDto(row), checkins: { pre, post, others }, emotional_shift: shift };
  }

  /** Checks of the metadata that need no bytes. Returns the decoded IV and the recording time. */
  function checkMetadata(metadata: UploadMetadata, now: Date): { iv: Buffer; recordedAt: Date } {
    const iv = Buffer.from(metadata.encryption.iv, 'base64');
    if (iv.length !== 12) {
      throw reject(
        422,
        'invalid-iv',
        'Invalid IV',
        'The IV must be 12 bytes (base64)',
        '#/body/metadata/encryption/iv',
      );
    }
    const recordedAt = metadata.recorded_at ? new Date(metadata.recorded_at) : now;
    if (recordedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw reject(
        422,
        'recorded-at-in-future',
        'Invalid recording time',
        'recorded_at is in the future',
        '#/body/metadata/recorded_at',
      );
    }
    for (const part of ['pre_checkin', 'post_checkin'] as const) {
      const checkin = metadata[part];
      if (checkin)
        deps.emotions.validate(
          { ...checkin, context: part === 'pre_checkin' ? 'pre_journal' : 'post_journal' },
          `#/body/metadata/${part}`,
        );
    }
    return { iv, recordedAt };
  }

  async function create(
    caller: AuthContext,
    metadata: UploadMetadata,
    audio: Readable,
    idempotency?: IdempotencyRequest,
    upload: { declaredBytes?: number | undefined } = {},
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
    const { iv, recordedAt } = checkMetadata(metadata, now);
    const ivTaken = await db.asUser(caller.userId, (tx) => repo.ivUsed(tx, caller.userId, iv));
    if (ivTaken)
      throw conflict(
        'iv-reused',
        'This IV was already used for one of your recordings; encrypt with a fresh IV',
      );
    // Room in the quota is held before any byte is accepted (see quota.ts).
    const reservation = await quota.reserve(
      caller.userId,
      { quotaBytes: settings.quotaBytes(caller.role), maxUploadBytes: settings.maxUploadBytes },
      upload.declaredBytes,
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
    const { now, iv, recordedAt, reservation } = held;
    const journalId = randomUUID();
    const key = objectKeyOf(caller.userId, journalId);
    const inspector = new CiphertextInspector({
      maxBytes: settings.maxUploadBytes,
      quota: reservation,
    });
    // The audio flows through the inspector straight into storage; an error on either side
    // stops both (the storage then leaves nothing under the key).
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

    const inspection = inspector.result();
    const refuse = async (error: AppError) => {
      await storage.delete(key).catch(() => {});
      return error;
    };
    if (inspection.bytes < MIN_CIPHERTEXT_BYTES) {
      throw await refuse(
        reject(
          422,
          'ciphertext-too-short',
          'Not a ciphertext',
          `AES-GCM ciphertext is at least ${MIN_CIPHERTEXT_BYTES} bytes (16 of them the tag)`,
          '#/body/audio',
        ),
      );
    }
    if (inspection.sha256Hex !== metadata.encryption.checksum_sha256) {
      throw await refuse(
        reject(
          422,
          'checksum-mismatch',
          'Checksum mismatch',
          'The SHA-256 of the bytes received does not match checksum_sha256; the upload was damaged',
          '#/body/metadata/encryption/checksum_sha256',
        ),
      );
    }
    if (inspection.plaintext) {
      throw await refuse(
        reject(
          422,
          'plaintext-audio',
          'Unencrypted audio refused',
          `The bytes look like unencrypted audio (${inspection.plaintext}); encrypt on the device before uploading`,
          '#/body/audio',
        ),
      );
    }
    if (entropyTooLow(inspection)) {
      throw await refuse(
        reject(
          422,
          'not-ciphertext',
          'Not a ciphertext',
          `The bytes are not random enough to be AES-GCM ciphertext (${inspection.entropy.toFixed(3)} bits per byte)`,
          '#/body/audio',
        ),
      );
    }

    try {
      return await db
        .asUser(caller.userId, async (tx) => {
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
                title: metadata.title?.trim() ? metadata.title.trim() : null,
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
                      Math.min(
                        now.getTime(),
                        recordedAt.getTime() + metadata.duration_seconds * 1000,
                      ),
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
            return detailOf(row, checkins);
          });
        })
        .then(async (result) => {
          // A replayed request wrote its bytes again under a new key: keep only the first.
          if (result.replayed) await storage.delete(key).catch(() => {});
          return result;
        });
    } catch (error) {
      await storage.delete(key).catch(() => {});
      if (isUniqueViolation(error, 'journals_user_iv_key')) {
        throw conflict(
          'iv-reused',
          'This IV was already used for one of your recordings; encrypt with a fresh IV',
        );
      }
      throw error;
    }
  }

  async function get(caller: AuthContext, id: string): Promise<JournalDetailDto> {
    return db.asUser(caller.userId, async (tx) => {
      const row = await repo.findJournal(tx, caller.userId, id);
      if (!row) throw notFound('journal');
      return detailOf(row, await deps.emotions.ofJournal(tx, caller.userId, id));
    });
  }

  async function list(caller: AuthContext, filter: JournalFilter) {
    const limit = filter.limit ?? 20;
    const cursor = decodeCursor(filter.cursor, ['timestamp', 'uuid']) as
      [string, string] | undefined;
    if (filter.from && filter.to && filter.from > filter.to) {
      throw unprocessable('invalid-range', '`from` is after `to`', [
        { pointer: '#/body/from', message: 'must not be after to' },
      ]);
    }
    if (
      filter.duration_min !== undefined &&
      filter.duration_max !== undefined &&
      filter.duration_min > filter.duration_max
    ) {
      throw unprocessable('invalid-range', 'duration_min is above duration_max', [
        { pointer: '#/body/duration_min', message: 'must not be above duration_max' },
      ]);
    }
    const rows = await db.asUser(caller.userId, async (tx) => {
      const ids = filter.emotion_type_ids
        ? await deps.emotions.journalsWithEmotions(tx, caller.userId, filter.emotion_type_ids)
        : undefined;
      return repo.listJournals(tx, caller.userId, {
        limit,
        after: cursor ? { recordedAt: new Date(cursor[0]), id: cursor[1] } : undefined,
        fromLocal: filter.from,
        toLocal: filter.to,
        favoritesOnly: filter.favorites_only,
        ids,
        durationMin: filter.duration_min,
        durationMax: filter.duration_max,
      });
    });
    return pageOf(rows, limit, toDto, (r) => [r.recordedAt.toISOString(), r.id]);
  }

  /** The ciphertext, or the byte range `rangeOf` asks for once the size is known. */
  async function openAudio(
    caller: AuthContext,
    id: string,
    rangeOf: (size: number) => ByteRange | undefined = () => undefined,
  ) {
    const row = await db.asUser(caller.userId, (tx) => repo.findJournal(tx, caller.userId, id));
    if (!row) throw notFound('journal');
    const size = row.audio.fileSize;
    const range = rangeOf(size);
    if (range && (range.start >= size || range.end < range.start)) {
      throw new AppError(416, 'range-not-satisfiable', 'Range not satisfiable', {
        detail: `The recording has ${size} bytes`,
        headers: { 'content-range': `bytes */${size}` },
      });
    }
    const effective = range
      ? { start: range.start, end: Math.min(range.end, size - 1) }
      : undefined;
    const stream = await storageCall(() => storage.get(row.storagePath, effective));
    if (!stream) throw serviceUnavailable('audio storage', 30);
    return {
      stream,
      size,
      range: effective,
      checksum: row.audio.checksum,
      iv: row.encryptionIv.toString('base64'),
      algorithm: row.encryptionAlgorithm,
    };
  }

  async function setFavorite(caller: AuthContext, id: string, favorite: boolean) {
    const ok = await db.asUser(caller.userId, (tx) =>
      repo.setFavorite(tx, caller.userId, id, favorite, clock.now()),
    );
    if (!ok) throw notFound('journal');
    return { id, is_favorite: favorite };
  }

  async function remove(caller: AuthContext, id: string) {
    const now = clock.now();
    const row = await db.asUser(caller.userId, (tx) =>
      repo.setDeleted(tx, caller.userId, id, true, now),
    );
    if (!row) throw notFound('journal');
    return {
      id,
      deleted_at: now.toISOString(),
      restorable_until: new Date(now.getTime() + settings.retentionDays * 86_400_000).toISOString(),
    };
  }

  async function restore(caller: AuthContext, id: string): Promise<JournalDetailDto> {
    const now = clock.now();
    const restored = await db.asUser(caller.userId, async (tx) => {
      const row = await repo.findJournal(tx, caller.userId, id, { includeDeleted: true });
      if (!row?.isDeleted || !row.deletedAt) return false;
      if (row.deletedAt.getTime() + settings.retentionDays * 86_400_000 <= now.getTime())
        return false;
      return Boolean(await repo.setDeleted(tx, caller.userId, id, false, now));
    });
    if (!restored) throw notFound('deleted journal');
    return get(caller, id);
  }

  async function exportJournal(caller: AuthContext, id: string): Promise<ExportLinkDto> {
    const detail = await get(caller, id);
    const row = await db.asUser(caller.userId, (tx) => repo.findJournal(tx, caller.userId, id));
    if (!row) throw notFound('journal');
    const audio = await storageCall(() => storage.get(row.storagePath));
    if (!audio) throw serviceUnavailable('audio storage', 30);
    const key = exportKeyOf(caller.userId, randomUUID());
    const zip = new ZipArchive({ store: true });
    zip.append(
      JSON.stringify({ format: 'amira-journal-export', version: 1, journal: detail }, null, 2),
      { name: 'metadata.json' },
    );
    zip.append(audio, { name: 'audio.bin' });
    await Promise.all([storageCall(() => storage.put(key, zip)), zip.finalize()]);
    const expiresAt = new Date(clock.now().getTime() + settings.exportLinkTtlSeconds * 1000);
    const url = await links.url(key, expiresAt, `journal-${id}.zip`);
    return { url, expires_at: expiresAt.toISOString(), format: 'zip' };
  }

  const openExport = (token: string) => links.open(token);

  /**
   * Once no row points at them: the recordings' objects, and the user's export bundles (so
   * every export link stops working). A failure leaves orphans that the sweep removes.
   */
  async function deleteStoredObjects(userId: string, paths: string[]): Promise<void> {
    for (const path of paths) await storage.delete(path);
    for await (const object of storage.list(`${exportKeyOf(userId, '').replace(/\.zip$/, '')}`))
      await storage.delete(object.key);
  }

  /**
   * DELETE /v1/journals: every journal of the caller, those in the trash included, at once
   * (no restore), then their stored objects and export bundles. The check-ins recorded
   * around them stay (they belong to the emotions history) without the link. Audited.
   */
  async function removeAll(caller: AuthContext, meta: RequestMeta): Promise<{ deleted: number }> {
    const removed = await db.asUser(caller.userId, async (tx) => {
      const rows = await repo.deleteAllJournals(tx, caller.userId);
      await forgetDeletedResults(
        tx,
        caller.userId,
        rows.map((r) => r.id),
      );
      await deps.onAllDeleted(tx, { userId: caller.userId, count: rows.length });
      await deps.audit(tx, caller.userId, 'journals_deleted', meta, { count: rows.length });
      return rows;
    });
    await deleteStoredObjects(
      caller.userId,
      removed.map((r) => r.storagePath),
    ).catch((error: unknown) =>
      deps.log.warn(
        { err: error },
        'objects of deleted journals not deleted; the sweep will retry',
      ),
    );
    return { deleted: removed.length };
  }

  return {
    create,
    get,
    list,
    openAudio,
    setFavorite,
    remove,
    removeAll,
    deleteStoredObjects,
    restore,
    exportJournal,
    openExport,
    toDto,
  };
}

export type JournalsService = ReturnType<typeof createJournalsService>;
