// Check-ins: recording (one, in recording.ts; offline batches, in batch.ts), reading,
// filtering and deleting. Analytics are in analytics/.
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { AppError, conflict, notFound, unprocessable } from '../../platform/errors.ts';
import { violatedUniqueConstraint } from '../../platform/db/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import {
  forgetDeletedResults,
  runIdempotent,
  type IdempotencyRequest,
  type IdempotentResult,
} from '../../platform/idempotency/idempotency.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { addDays } from '../../platform/time.ts';
import type { AuditPort, UserProfilePort } from '../auth/index.ts';
import type { JournalOwnershipPort } from '../journals/index.ts';
import type { ToolCatalogPort } from '../tools/index.ts';
import type { EmotionCatalog } from './catalog.ts';
import { createCheckinRecording, failure, toCheckinDto, type CheckinInput } from './recording.ts';
import { recordBatch } from './batch.ts';
import * as repo from './repository.ts';
import type {
  BatchItemInput,
  BatchResultDto,
  CheckinDto,
  CreateCheckinInput,
  FilterInput,
} from './schemas.ts';
import type { CheckinContext } from './values.ts';

export interface CheckinRecordedEvent {
  userId: string;
  checkinId: string;
  createdAt: Date;
  localDate: string;
  /** The zone the local date was fixed in (the user's at recording). */
  timeZone: string;
  emotionTypeId: number;
  context: CheckinContext;
}

/** Every check-in of a user was deleted at their request (DELETE /v1/emotions). */
export interface CheckinsDeletedEvent {
  userId: string;
  count: number;
}

export interface EmotionsServiceDeps {
  db: Database;
  clock: Clock;
  catalog: () => EmotionCatalog;
  profiles: UserProfilePort;
  /** A related journal must be one of the user's (the journals module's query). */
  journals: JournalOwnershipPort;
  /** A related tool must exist (the tools module's library). */
  tools: Pick<ToolCatalogPort, 'exists'>;
  /** Called inside the transaction of every recorded check-in (progress tracking listens). */
  onRecorded: (tx: Tx, event: CheckinRecordedEvent) => Promise<void>;
  /** Called inside the transaction that deleted every check-in of a user (progress forgets them). */
  onAllDeleted: (tx: Tx, event: CheckinsDeletedEvent) => Promise<void>;
  audit: AuditPort;
}

const idTaken = () =>
  conflict('id-taken', 'A check-in with this id exists already: make a new id and encrypt again');

export function createEmotionsService(deps: EmotionsServiceDeps) {
  const { db, clock } = deps;
  const recording = createCheckinRecording(deps);

  return {
    recordIn: recording.recordIn,

    async create(
      caller: AuthContext,
      input: CreateCheckinInput,
      idempotency?: IdempotencyRequest,
    ): Promise<IdempotentResult<CheckinDto>> {
      try {
        return await db.asUser(caller.userId, (tx) =>
          runIdempotent(tx, caller.userId, idempotency, clock.now(), () =>
            recording.recordIn(tx, caller.userId, input),
          ),
        );
      } catch (error) {
        // The device chose an id that exists (the same id and time): the SDK makes a new one.
        if (/^checkins.*_pkey$/.test(violatedUniqueConstraint(error) ?? '')) throw idTaken();
        throw error;
      }
    },

    createBatch: (caller: AuthContext, items: BatchItemInput[]): Promise<BatchResultDto> =>
      recordBatch(deps, recording, caller, items),

    async get(caller: AuthContext, id: string): Promise<CheckinDto> {
      const row = await db.asUser(caller.userId, (tx) => repo.findCheckin(tx, caller.userId, id));
      if (!row) throw notFound('check-in');
      return toCheckinDto(row);
    },

    async list(caller: AuthContext, filter: FilterInput) {
      const limit = filter.limit ?? 20;
      const cursor = decodeCursor(filter.cursor, ['timestamp', 'uuid']) as
        [string, string] | undefined;
      if (filter.from && filter.to && filter.from > filter.to) {
        throw new AppError(422, 'invalid-range', 'Invalid range', {
          detail: '`from` is after `to`',
          errors: [{ pointer: '#/body/from', message: 'must not be after to' }],
        });
      }
      if (
        filter.intensity_min !== undefined &&
        filter.intensity_max !== undefined &&
        filter.intensity_min > filter.intensity_max
      ) {
        throw unprocessable('invalid-range', 'intensity_min is above intensity_max', [
          { pointer: '#/body/intensity_min', message: 'must not be above intensity_max' },
        ]);
      }
      const catalog = deps.catalog();
      let emotionTypeIds = filter.emotion_type_ids;
      if (filter.categories) {
        const inCategories = catalog
          .all()
          .filter((e) => filter.categories?.includes(e.category))
          .map((e) => e.id);
        emotionTypeIds = emotionTypeIds
          ? emotionTypeIds.filter((id) => inCategories.includes(id))
          : inCategories;
        if (emotionTypeIds.length === 0) return { items: [], next_cursor: null };
      }
      const rows = await db.asUser(
        caller.userId,
        (tx) =>
          repo.listCheckins(
            tx,
            caller.userId,
            {
              fromLocal: filter.from,
              toLocalExclusive: filter.to ? addDays(filter.to, 1) : undefined,
              emotionTypeIds,
              intensityMin: filter.intensity_min,
              intensityMax: filter.intensity_max,
              contexts: filter.contexts,
            },
            limit,
            cursor ? { createdAt: new Date(cursor[0]), id: cursor[1] } : undefined,
          ),
        // One SELECT: COMMIT travels with it (a round trip less on the busiest read).
        { singleStatement: true },
      );
      return pageOf(rows, limit, toCheckinDto, (r) => [r.createdAt.toISOString(), r.id]);
    },

    /** The latest check-ins, inside the caller's transaction (the progress dashboard). */
    async recentIn(tx: Tx, userId: string, limit: number): Promise<CheckinDto[]> {
      const rows = await repo.listCheckins(tx, userId, {}, limit);
      return rows.slice(0, limit).map(toCheckinDto);
    },

    /** Codes of the emotions the user checked in with since a moment (affirmation matching). */
    async feelingsSince(tx: Tx, userId: string, since: Date): Promise<Set<string>> {
      const ids = await repo.emotionTypesSince(tx, userId, since);
      return new Set(ids.flatMap((id) => deps.catalog().byId(id)?.code ?? []));
    },

    /** Checks a check-in before anything is stored (journals validate pre/post before the upload). */
    validate(input: CheckinInput, pointer: string): void {
      const checked = recording.checkFields(input, clock.now(), pointer);
      if (!(checked instanceof Date)) throw failure(checked);
    },

    journalsWithEmotions: (tx: Tx, userId: string, emotionTypeIds: number[]) =>
      repo.journalsWithEmotions(tx, userId, emotionTypeIds),

    /** The check-ins linked to a journal (for the journals module). */
    async ofJournal(tx: Tx, userId: string, journalId: string): Promise<CheckinDto[]> {
      return (await repo.checkinsOfJournal(tx, userId, journalId)).map(toCheckinDto);
    },

    /** The account deletion's step: the rows only (the rest of the account goes with them). */
    async deleteAll(tx: Tx, userId: string): Promise<number> {
      return (await repo.deleteAllCheckins(tx, userId)).length;
    },

    /**
     * DELETE /v1/emotions: every check-in of the caller, and what was derived from them and
     * stored: the replayable responses of their creation, and (through the event) the
     * emotion and the link of their progress activities. Audited.
     */
    async deleteAllOf(caller: AuthContext, meta: RequestMeta): Promise<{ deleted: number }> {
      return db.asUser(caller.userId, async (tx) => {
        const ids = await repo.deleteAllCheckins(tx, caller.userId);
        await forgetDeletedResults(tx, caller.userId, ids);
        await deps.onAllDeleted(tx, { userId: caller.userId, count: ids.length });
        await deps.audit(tx, caller.userId, 'checkins_deleted', meta, { count: ids.length });
        return { deleted: ids.length };
      });
    },
  };
}

export type EmotionsService = ReturnType<typeof createEmotionsService>;
