// Check-in rules: recording (one, or offline batches applied idempotently), reading,
// filtering and deleting. Analytics are in analytics.service.ts.
import { randomUUID } from 'node:crypto';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuthContext } from '../../platform/auth/guard.ts';
import { AppError, notFound, unprocessable } from '../../platform/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import {
  forgetDeletedResults,
  runIdempotent,
  type IdempotencyRequest,
  type IdempotentResult,
} from '../../platform/idempotency/idempotency.ts';
import type { RequestMeta } from '../../platform/http/request-meta.ts';
import { addDays, wallClock } from '../../platform/time.ts';
import type { EmotionCatalog } from './catalog.ts';
import * as repo from './repository.ts';
import type { CheckinRow, NewCheckin } from './repository.ts';
import type {
  BatchItemInput,
  BatchResultDto,
  CheckinDto,
  CreateCheckinInput,
  FilterInput,
} from './schemas.ts';
import type { CheckinContext } from './tables.ts';

export const MAX_BACKDATE_DAYS = 30;
/** Devices' clocks drift: a check-in a little "in the future" is accepted as now-ish. */
const CLOCK_SKEW_MS = 2 * 60 * 1000;

export interface UserProfilePort {
  profileIn(tx: Tx, userId: string): Promise<{ timeZone: string; language: 'es' | 'en' }>;
}

/** What the emotions module needs to know of journals and tools (wired when those modules exist). */
export interface RelatedEntities {
  journalOwnedBy(tx: Tx, userId: string, journalId: string): Promise<boolean>;
  toolExists(tx: Tx, toolId: string): Promise<boolean>;
}

export interface CheckinRecordedEvent {
  userId: string;
  checkinId: string;
  createdAt: Date;
  localDate: string;
  emotionTypeId: number;
  context: CheckinContext;
}

/** Every check-in of a user was deleted at their request (DELETE /v1/emotions). */
export interface CheckinsDeletedEvent {
  userId: string;
  count: number;
}

/** The user's audit trail (the auth module's security events). */
export type AuditPort = (
  tx: Tx,
  userId: string,
  type: string,
  meta: RequestMeta,
  metadata?: Record<string, unknown>,
) => Promise<void>;

export interface EmotionsServiceDeps {
  db: Database;
  clock: Clock;
  catalog: () => EmotionCatalog;
  profiles: UserProfilePort;
  related: () => RelatedEntities;
  /** Called inside the transaction of every recorded check-in (progress tracking listens). */
  onRecorded: (tx: Tx, event: CheckinRecordedEvent) => Promise<void>;
  /** Called inside the transaction that deleted every check-in of a user (progress forgets them). */
  onAllDeleted: (tx: Tx, event: CheckinsDeletedEvent) => Promise<void>;
  audit: AuditPort;
}

export type CheckinInput = Omit<CreateCheckinInput, 'created_at'> & {
  created_at?: string | undefined;
  client_id?: string;
};

interface ItemError {
  code: string;
  detail: string;
  pointer: string;
}

export function toCheckinDto(row: CheckinRow): CheckinDto {
  return {
    id: row.id,
    emotion_type_id: row.emotionTypeId,
    intensity: row.intensity,
    context: row.context,
    notes: row.notes,
    related_journal_id: row.relatedJournalId,
    related_tool_id: row.relatedToolId,
    client_id: row.clientId,
    created_at: row.createdAt.toISOString(),
    local_date: row.localTime.slice(0, 10),
  };
}

export function createEmotionsService(deps: EmotionsServiceDeps) {
  const { db, clock } = deps;

  /** The checks that need no database: catalog membership and the time window. */
  function checkFields(input: CheckinInput, now: Date, prefix: string): ItemError | Date {
    if (!deps.catalog().byId(input.emotion_type_id)) {
      return {
        code: 'unknown-emotion-type',
        detail: `There is no emotion type ${input.emotion_type_id}`,
        pointer: `${prefix}/emotion_type_id`,
      };
    }
    const createdAt = input.created_at ? new Date(input.created_at) : now;
    if (createdAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      return {
        code: 'created-at-in-future',
        detail: 'created_at is in the future',
        pointer: `${prefix}/created_at`,
      };
    }
    if (createdAt.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86_400_000) {
      return {
        code: 'created-at-too-old',
        detail: `created_at may be at most ${MAX_BACKDATE_DAYS} days in the past`,
        pointer: `${prefix}/created_at`,
      };
    }
    return createdAt;
  }

  /** The checks of related journal and tool (they must exist; a journal must be the user's). */
  async function checkRelations(
    tx: Tx,
    userId: string,
    input: CheckinInput,
    prefix: string,
  ): Promise<ItemError | undefined> {
    const related = deps.related();
    if (
      input.related_journal_id &&
      !(await related.journalOwnedBy(tx, userId, input.related_journal_id))
    ) {
      return {
        code: 'related-journal-not-found',
        detail: 'The related journal does not exist',
        pointer: `${prefix}/related_journal_id`,
      };
    }
    if (input.related_tool_id && !(await related.toolExists(tx, input.related_tool_id))) {
      return {
        code: 'related-tool-not-found',
        detail: 'The related tool does not exist',
        pointer: `${prefix}/related_tool_id`,
      };
    }
    return undefined;
  }

  const toRow = (
    userId: string,
    input: CheckinInput,
    createdAt: Date,
    timeZone: string,
    now: Date,
  ): NewCheckin => ({
    id: randomUUID(),
    userId,
    emotionTypeId: input.emotion_type_id,
    intensity: input.intensity,
    context: input.context,
    notes: input.notes?.trim() ? input.notes : null,
    relatedJournalId: input.related_journal_id ?? null,
    relatedToolId: input.related_tool_id ?? null,
    createdAt,
    localTime: wallClock(createdAt, timeZone),
    receivedAt: now,
    clientId: input.client_id ?? null,
  });

  const recorded = (tx: Tx, row: CheckinRow) =>
    deps.onRecorded(tx, {
      userId: row.userId,
      checkinId: row.id,
      createdAt: row.createdAt,
      localDate: row.localTime.slice(0, 10),
      emotionTypeId: row.emotionTypeId,
      context: row.context,
    });

  const fail = (error: ItemError) =>
    unprocessable(error.code, error.detail, [{ pointer: error.pointer, message: error.detail }]);

  /** Records one check-in inside an existing transaction (used by journals for pre/post check-ins). */
  async function recordIn(
    tx: Tx,
    userId: string,
    input: CheckinInput,
    pointer = '#/body',
  ): Promise<CheckinDto> {
    const now = clock.now();
    const checked = checkFields(input, now, pointer);
    if (!(checked instanceof Date)) throw fail(checked);
    const relationError = await checkRelations(tx, userId, input, pointer);
    if (relationError) throw fail(relationError);
    const { timeZone } = await deps.profiles.profileIn(tx, userId);
    const row = await repo.insertCheckin(tx, toRow(userId, input, checked, timeZone, now));
    await recorded(tx, row);
    return toCheckinDto(row);
  }

  return {
    recordIn,

    async create(
      caller: AuthContext,
      input: CreateCheckinInput,
      idempotency?: IdempotencyRequest,
    ): Promise<IdempotentResult<CheckinDto>> {
      return db.asUser(caller.userId, (tx) =>
        runIdempotent(tx, caller.userId, idempotency, clock.now(), () =>
          recordIn(tx, caller.userId, input),
        ),
      );
    },

    async createBatch(caller: AuthContext, items: BatchItemInput[]): Promise<BatchResultDto> {
      const now = clock.now();
      return db.asUser(caller.userId, async (tx) => {
        const { timeZone } = await deps.profiles.profileIn(tx, caller.userId);
        // An item is identified by (client_id, created_at): the same pair twice is one check-in.
        const keyOf = (clientId: string | null, createdAt: Date) =>
          `${clientId ?? ''}@${createdAt.toISOString()}`;
        const outcomes: ({ key: string; first: boolean } | ItemError)[] = [];
        const pending = new Map<string, NewCheckin>();
        for (const [index, item] of items.entries()) {
          const prefix = `#/body/items/${index}`;
          const checked = checkFields(item, now, prefix);
          const error =
            checked instanceof Date
              ? await checkRelations(tx, caller.userId, item, prefix)
              : checked;
          if (error || !(checked instanceof Date)) {
            outcomes.push(error ?? (checked as ItemError));
            continue;
          }
          const key = keyOf(item.client_id, checked);
          outcomes.push({ key, first: !pending.has(key) });
          if (!pending.has(key))
            pending.set(key, toRow(caller.userId, item, checked, timeZone, now));
        }
        const inserted = await repo.insertCheckinsIgnoringDuplicates(tx, [...pending.values()]);
        for (const row of inserted) await recorded(tx, row);
        const ids = new Map(inserted.map((row) => [keyOf(row.clientId, row.createdAt), row.id]));
        const created = new Set(ids.keys());
        // Items stored by an earlier send of this batch answer with their first id.
        const earlier = [...pending.entries()]
          .filter(([key]) => !ids.has(key))
          .map(([, row]) => row);
        for (const row of await repo.findByClientIds(
          tx,
          caller.userId,
          earlier.map((r) => ({ clientId: r.clientId ?? '', createdAt: r.createdAt })),
        )) {
          ids.set(keyOf(row.clientId, row.createdAt), row.id);
        }
        return {
          results: outcomes.map((outcome, index) => {
            const clientId = items[index]?.client_id ?? '';
            if ('code' in outcome) {
              return {
                client_id: clientId,
                status: 'rejected' as const,
                id: null,
                error: { code: outcome.code, detail: outcome.detail },
              };
            }
            const status =
              outcome.first && created.has(outcome.key)
                ? ('created' as const)
                : ('duplicate' as const);
            return { client_id: clientId, status, id: ids.get(outcome.key) ?? null, error: null };
          }),
        };
      });
    },

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
      const rows = await db.asUser(caller.userId, (tx) =>
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
      const checked = checkFields(input, clock.now(), pointer);
      if (!(checked instanceof Date)) throw fail(checked);
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
