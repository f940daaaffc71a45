// SQL of check-ins and of the emotion catalog (analytics queries are in analytics/repository.ts).
import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { compileQuery, plain } from '../../platform/db/compiled-query.ts';
import { afterKey } from '../../platform/db/keyset.ts';
import type { Tx } from '../../platform/db/database.ts';
import { upsertChanged } from '../../platform/db/upsert.ts';
import { checkins } from './partitioned/tables.ts';
import { emotionTypes } from './tables.ts';
import type { CheckinContext } from './values.ts';

// The catalog

export type EmotionTypeRow = typeof emotionTypes.$inferSelect;

/** Every emotion type, in the catalog's order. */
export async function allEmotionTypes(tx: Tx): Promise<EmotionTypeRow[]> {
  return tx.select().from(emotionTypes).orderBy(asc(emotionTypes.sortOrder));
}

/** Inserts new emotion types and updates changed ones (by code); how many rows changed. */
export async function upsertEmotionTypes(
  tx: Tx,
  rows: (typeof emotionTypes.$inferInsert)[],
): Promise<number> {
  const t = emotionTypes;
  return upsertChanged(tx, t, rows, t.code, [
    t.category,
    t.valence,
    t.arousal,
    t.color,
    t.nameEs,
    t.nameEn,
    t.descriptionEs,
    t.descriptionEn,
    t.sortOrder,
  ]);
}

/** The codes of the stored emotion types. */
export async function emotionTypeCodes(tx: Tx): Promise<string[]> {
  return (await tx.select({ code: emotionTypes.code }).from(emotionTypes)).map((r) => r.code);
}

// Check-ins

export type CheckinRow = typeof checkins.$inferSelect;

export interface NewCheckin {
  id: string;
  userId: string;
  emotionTypeId: number;
  intensity: number;
  context: CheckinContext;
  notes: string | null;
  relatedJournalId: string | null;
  relatedToolId: string | null;
  createdAt: Date;
  localTime: string;
  receivedAt: Date;
  clientId: string | null;
}

// One check-in (POST /v1/emotions), compiled once like the list: building the insert cost
// more CPU than sending it (issue 17). Each value is a placeholder the insert encodes as
// its column does (a Date as ISO 8601), so the row stored is the builder's.
const insertOne = compileQuery(
  {
    id: plain<string>(),
    userId: plain<string>(),
    emotionTypeId: plain<number>(),
    intensity: plain<number>(),
    context: plain<CheckinContext>(),
    notes: plain<string | null>(),
    relatedJournalId: plain<string | null>(),
    relatedToolId: plain<string | null>(),
    createdAt: plain<Date>(),
    localTime: plain<string>(),
    receivedAt: plain<Date>(),
    clientId: plain<string | null>(),
  },
  (db, p) =>
    db
      .insert(checkins)
      .values({ ...p })
      .returning(),
);

export async function insertCheckin(tx: Tx, row: NewCheckin): Promise<CheckinRow> {
  const [inserted] = await insertOne.run(tx, row);
  if (!inserted) throw new Error('check-in insert returned no row');
  return inserted;
}

/** Inserts what is new; rows whose (user, client_id, created_at) exist already are skipped. */
export async function insertCheckinsIgnoringDuplicates(
  tx: Tx,
  rows: NewCheckin[],
): Promise<CheckinRow[]> {
  if (rows.length === 0) return [];
  return tx.insert(checkins).values(rows).onConflictDoNothing().returning();
}

export async function findByClientIds(
  tx: Tx,
  userId: string,
  keys: { clientId: string; createdAt: Date }[],
) {
  if (keys.length === 0) return [];
  const pairs = keys.map((k) =>
    and(eq(checkins.clientId, k.clientId), eq(checkins.createdAt, k.createdAt)),
  );
  return tx
    .select({ id: checkins.id, clientId: checkins.clientId, createdAt: checkins.createdAt })
    .from(checkins)
    .where(and(eq(checkins.userId, userId), or(...pairs)));
}

/** Check-ins whose notes are still plaintext (written before E2E text), oldest first. */
export async function listPlaintextNotes(
  tx: Tx,
  userId: string,
  limit: number,
  after: { at: Date; id: string } | undefined,
): Promise<CheckinRow[]> {
  return tx
    .select()
    .from(checkins)
    .where(
      and(
        eq(checkins.userId, userId),
        eq(checkins.notesPlaintext, true),
        afterKey(checkins.createdAt, checkins.id, after, 'asc'),
      ),
    )
    .orderBy(asc(checkins.createdAt), asc(checkins.id))
    .limit(limit + 1);
}

/** Replaces a check-in's notes with an envelope (or none); the rows changed. */
export async function replaceNotes(
  tx: Tx,
  userId: string,
  id: string,
  notes: string | null,
): Promise<CheckinRow[]> {
  return tx
    .update(checkins)
    .set({ notes, notesPlaintext: false })
    .where(and(eq(checkins.userId, userId), eq(checkins.id, id)))
    .returning();
}

export async function findCheckin(
  tx: Tx,
  userId: string,
  id: string,
): Promise<CheckinRow | undefined> {
  const [row] = await tx
    .select()
    .from(checkins)
    .where(and(eq(checkins.userId, userId), eq(checkins.id, id)));
  return row;
}

export interface CheckinFilter {
  fromLocal?: string | undefined;
  toLocalExclusive?: string | undefined;
  emotionTypeIds?: number[] | undefined;
  intensityMin?: number | undefined;
  intensityMax?: number | undefined;
  contexts?: CheckinContext[] | undefined;
}

export async function emotionTypesSince(tx: Tx, userId: string, since: Date): Promise<number[]> {
  const rows = await tx
    .selectDistinct({ id: checkins.emotionTypeId })
    .from(checkins)
    .where(and(eq(checkins.userId, userId), gte(checkins.createdAt, since)));
  return rows.map((r) => r.id);
}

// The unfiltered list (GET /v1/emotions without filters, the progress dashboard), compiled
// once: the same SQL as the builder below gives for that shape, without rebuilding it on
// every request (issue 17). The user id condition stays in the query, as in the builder.
const newestFirst = compileQuery({ userId: checkins.userId, limit: plain<number>() }, (db, p) =>
  db
    .select()
    .from(checkins)
    .where(and(eq(checkins.userId, p.userId)))
    .orderBy(desc(checkins.createdAt), desc(checkins.id))
    .limit(p.limit),
);
/** The same after a page's last row: afterKey(…, 'desc') with placeholders. */
const newestFirstAfter = compileQuery(
  {
    userId: checkins.userId,
    afterAt: checkins.createdAt,
    afterId: checkins.id,
    limit: plain<number>(),
  },
  (db, p) =>
    db
      .select()
      .from(checkins)
      .where(
        and(
          eq(checkins.userId, p.userId),
          or(
            lt(checkins.createdAt, p.afterAt),
            and(eq(checkins.createdAt, p.afterAt), lt(checkins.id, p.afterId)),
          ),
        ),
      )
      .orderBy(desc(checkins.createdAt), desc(checkins.id))
      .limit(p.limit),
);

const unfiltered = (filter: CheckinFilter) =>
  filter.fromLocal === undefined &&
  filter.toLocalExclusive === undefined &&
  filter.emotionTypeIds === undefined &&
  filter.intensityMin === undefined &&
  filter.intensityMax === undefined &&
  filter.contexts === undefined;

/** Newest first, keyset-paginated on (created_at, id). */
export async function listCheckins(
  tx: Tx,
  userId: string,
  filter: CheckinFilter,
  limit: number,
  after?: { createdAt: Date; id: string },
): Promise<CheckinRow[]> {
  if (unfiltered(filter))
    return after
      ? newestFirstAfter.run(tx, {
          userId,
          afterAt: after.createdAt,
          afterId: after.id,
          limit: limit + 1,
        })
      : newestFirst.run(tx, { userId, limit: limit + 1 });
  const conditions: (SQL | undefined)[] = [eq(checkins.userId, userId)];
  if (filter.fromLocal) conditions.push(gte(checkins.localTime, filter.fromLocal));
  if (filter.toLocalExclusive) conditions.push(lt(checkins.localTime, filter.toLocalExclusive));
  if (filter.emotionTypeIds)
    conditions.push(inArray(checkins.emotionTypeId, filter.emotionTypeIds));
  if (filter.intensityMin !== undefined)
    conditions.push(gte(checkins.intensity, filter.intensityMin));
  if (filter.intensityMax !== undefined)
    conditions.push(lte(checkins.intensity, filter.intensityMax));
  if (filter.contexts) conditions.push(inArray(checkins.context, filter.contexts));
  if (after)
    conditions.push(
      afterKey(checkins.createdAt, checkins.id, { at: after.createdAt, id: after.id }, 'desc'),
    );
  return tx
    .select()
    .from(checkins)
    .where(and(...conditions))
    .orderBy(desc(checkins.createdAt), desc(checkins.id))
    .limit(limit + 1);
}

/** A page of every check-in of the user, oldest first (the full data export). */
export async function checkinsOldestFirst(
  tx: Tx,
  userId: string,
  limit: number,
  after?: { createdAt: Date; id: string },
): Promise<CheckinRow[]> {
  return tx
    .select()
    .from(checkins)
    .where(
      and(
        eq(checkins.userId, userId),
        afterKey(
          checkins.createdAt,
          checkins.id,
          after && { at: after.createdAt, id: after.id },
          'asc',
        ),
      ),
    )
    .orderBy(asc(checkins.createdAt), asc(checkins.id))
    .limit(limit);
}

export async function checkinsOfJournal(
  tx: Tx,
  userId: string,
  journalId: string,
): Promise<CheckinRow[]> {
  return tx
    .select()
    .from(checkins)
    .where(and(eq(checkins.userId, userId), eq(checkins.relatedJournalId, journalId)))
    .orderBy(checkins.createdAt);
}

/** Journals whose pre or post check-in named one of these emotions. */
export async function journalsWithEmotions(
  tx: Tx,
  userId: string,
  emotionTypeIds: number[],
): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ journalId: checkins.relatedJournalId })
    .from(checkins)
    .where(
      and(
        eq(checkins.userId, userId),
        inArray(checkins.context, ['pre_journal', 'post_journal']),
        inArray(checkins.emotionTypeId, emotionTypeIds),
      ),
    );
  return rows.map((r) => r.journalId).filter((id): id is string => id !== null);
}

/** Deletes every check-in of the user; returns their ids. */
export async function deleteAllCheckins(tx: Tx, userId: string): Promise<string[]> {
  const deleted = await tx
    .delete(checkins)
    .where(eq(checkins.userId, userId))
    .returning({ id: checkins.id });
  return deleted.map((r) => r.id);
}

/** Creates the yearly partitions holding these days (idempotent; see migrations/0003_checkins.sql). */
export async function ensurePartitions(tx: Tx, days: string[]): Promise<void> {
  for (const day of days) await tx.execute(sql`select app_ensure_checkin_partition(${day}::date)`);
}
