// Recording a check-in: the checks that need no database (the emotion is in the catalog,
// the time is within the window), the checks of what it relates to (a journal of the
// user's, an existing tool), the row in the user's time zone, and the event every recorded
// check-in emits in its transaction. One check-in (recordIn) and offline batches (batch.ts)
// apply the same rules.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../platform/db/database.ts';
import { unprocessable } from '../../platform/errors.ts';
import { wallClock } from '../../platform/time.ts';
import type { EmotionsServiceDeps } from './service.ts';
import * as repo from './repository.ts';
import type { CheckinRow, NewCheckin } from './repository.ts';
import type { CheckinDto, CreateCheckinInput } from './schemas.ts';

export const MAX_BACKDATE_DAYS = 30;
/** Devices' clocks drift: a check-in a little "in the future" is accepted as now-ish. */
const CLOCK_SKEW_MS = 2 * 60 * 1000;

export type CheckinInput = Omit<CreateCheckinInput, 'created_at'> & {
  created_at?: string | undefined;
  client_id?: string;
};

export interface ItemError {
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
    plaintext_fields: row.notesPlaintext ? ['notes'] : [],
    related_journal_id: row.relatedJournalId,
    related_tool_id: row.relatedToolId,
    client_id: row.clientId,
    created_at: row.createdAt.toISOString(),
    local_date: row.localTime.slice(0, 10),
  };
}

export const failure = (error: ItemError) =>
  unprocessable(error.code, error.detail, [{ pointer: error.pointer, message: error.detail }]);

export function createCheckinRecording(deps: EmotionsServiceDeps) {
  /** The checks that need no database: catalog membership and the time window. */
  function checkFields(input: CheckinInput, now: Date, prefix: string): ItemError | Date {
    if (input.notes !== undefined && input.id === undefined) {
      return {
        code: 'id-required',
        detail:
          "Encrypted notes are bound to the check-in's id: send the id they were encrypted with",
        pointer: `${prefix}/id`,
      };
    }
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
    if (
      input.related_journal_id &&
      !(await deps.journals.ownedBy(tx, userId, input.related_journal_id))
    ) {
      return {
        code: 'related-journal-not-found',
        detail: 'The related journal does not exist',
        pointer: `${prefix}/related_journal_id`,
      };
    }
    if (input.related_tool_id && !(await deps.tools.exists(tx, input.related_tool_id))) {
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
    id: input.id ?? randomUUID(),
    userId,
    emotionTypeId: input.emotion_type_id,
    intensity: input.intensity,
    context: input.context,
    notes: input.notes ?? null,
    relatedJournalId: input.related_journal_id ?? null,
    relatedToolId: input.related_tool_id ?? null,
    createdAt,
    localTime: wallClock(createdAt, timeZone),
    receivedAt: now,
    clientId: input.client_id ?? null,
  });

  /** Announces a check-in: from the row being written (its values are all known before the insert answers). */
  const recorded = (tx: Tx, row: NewCheckin | CheckinRow, timeZone: string) =>
    deps.onRecorded(tx, {
      userId: row.userId,
      checkinId: row.id,
      createdAt: row.createdAt,
      localDate: row.localTime.slice(0, 10),
      timeZone,
      emotionTypeId: row.emotionTypeId,
      context: row.context,
    });

  /** Records one check-in inside an existing transaction (used by journals for pre/post check-ins). */
  async function recordIn(
    tx: Tx,
    userId: string,
    input: CheckinInput,
    pointer = '#/body',
  ): Promise<CheckinDto> {
    const now = deps.clock.now();
    const checked = checkFields(input, now, pointer);
    if (!(checked instanceof Date)) throw failure(checked);
    const relationError = await checkRelations(tx, userId, input, pointer);
    if (relationError) throw failure(relationError);
    const { timeZone } = await deps.profiles.profileIn(tx, userId);
    const row = toRow(userId, input, checked, timeZone, now);
    // The event's reactions (the progress activity, its evaluation job) need nothing the
    // insert answers, so their statements are sent right behind it: one round trip for the
    // three instead of three (issue 17). If the insert fails, the transaction is aborted,
    // the reactions' statements fail after it, and the insert's error is the one raised.
    const inserted = repo.insertCheckin(tx, row);
    const [stored] = await Promise.all([inserted, recorded(tx, row, timeZone)]);
    return toCheckinDto(stored);
  }

  return { checkFields, checkRelations, toRow, recorded, recordIn };
}

export type CheckinRecording = ReturnType<typeof createCheckinRecording>;
