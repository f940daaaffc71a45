// Voice journals: reading them (one, a filtered page, the ciphertext by byte ranges) and
// marking favorites here; the upload is upload/ (pipeline.ts says in what order), deletion
// and restore deletion.ts, a journal's export link export-links.ts.
import type { Logger } from 'pino';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import type { Secrets } from '../../platform/crypto/secrets.ts';
import type { ByteRange, ObjectStorage } from '../../platform/storage/storage.ts';
import { AppError, notFound, serviceUnavailable, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import type { EmotionCatalog, EmotionsService } from '../emotions/index.ts';
import type { AuditPort, UserProfilePort } from '../auth/index.ts';
import { toJournalDetail, toJournalDto } from './dto.ts';
import { storageCall } from './errors.ts';
import { createJournalDeletion } from './deletion.ts';
import { createExportLinks } from './export-links.ts';
import { createJournalShares } from './shares/service.ts';
import * as repo from './repository.ts';
import type { JournalDetailDto, JournalFilter } from './schemas.ts';
import { createJournalUpload } from './upload/pipeline.ts';
import { createJournalReencryption } from './upload/reencryption.ts';

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
  /** Where share links point (APP_LINK_BASE_URL): `<base>/s/<share id>#<key>`. */
  appLinkBaseUrl: string;
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

export function createJournalsService(deps: JournalsServiceDeps) {
  const { db, clock, storage } = deps;
  const upload = createJournalUpload(deps);

  async function get(caller: AuthContext, id: string): Promise<JournalDetailDto> {
    return db.asUser(caller.userId, async (tx) => {
      const row = await repo.findJournal(tx, caller.userId, id);
      if (!row) throw notFound('journal');
      return toJournalDetail(
        row,
        await deps.emotions.ofJournal(tx, caller.userId, id),
        deps.catalog(),
      );
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
    return pageOf(rows, limit, toJournalDto, (r) => [r.recordedAt.toISOString(), r.id]);
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

  return {
    create: upload.upload,
    ...createJournalReencryption(deps, upload),
    get,
    list,
    openAudio,
    setFavorite,
    ...createJournalDeletion(deps, get),
    ...createExportLinks(deps, get),
    ...createJournalShares(deps),
  };
}

export type JournalsService = ReturnType<typeof createJournalsService>;
