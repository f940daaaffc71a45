// SQL of the journals module.
import {
  and,
  asc,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  lt,
  lte,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import { queryRows, type Tx } from '../../platform/db/database.ts';
import { afterKey } from '../../platform/db/keyset.ts';
import { audioMetadata, journalUploadReservations, journals } from './tables.ts';

export type JournalRow = typeof journals.$inferSelect;
export type AudioRow = typeof audioMetadata.$inferSelect;
export type JournalWithAudio = JournalRow & { audio: AudioRow };

export async function ivUsed(tx: Tx, userId: string, iv: Buffer): Promise<boolean> {
  const [row] = await tx
    .select({ id: journals.id })
    .from(journals)
    .where(and(eq(journals.userId, userId), eq(journals.encryptionIv, iv)));
  return row !== undefined;
}

/**
 * Serialises every quota decision of one user (taking, growing or settling a reservation)
 * until the transaction ends: two uploads cannot both see the same free room.
 */
export async function lockQuota(tx: Tx, userId: string): Promise<void> {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`journal-quota:${userId}`}::text, 0))`,
  );
}

/**
 * Bytes the user's quota holds: stored recordings (deleted-but-restorable ones included)
 * plus live reservations other than `except`, in one statement (one snapshot for both).
 */
export async function quotaInUse(
  tx: Tx,
  userId: string,
  now: Date,
  except?: string,
): Promise<number> {
  const r = journalUploadReservations;
  const [row] = await queryRows<{ bytes: string }>(
    tx,
    sql`select
      (select coalesce(sum(${audioMetadata.fileSize}), 0) from ${audioMetadata}
        where ${audioMetadata.userId} = ${userId})
      + (select coalesce(sum(${r.bytes}), 0) from ${r}
        where ${r.userId} = ${userId} and ${r.expiresAt} > ${now.toISOString()}::timestamptz
        ${except ? sql`and ${r.id} <> ${except}` : sql``}) as bytes`,
  );
  return Number(row?.bytes ?? 0);
}

/** Creates or resizes (and renews) a reservation. */
export async function putReservation(
  tx: Tx,
  reservation: typeof journalUploadReservations.$inferInsert,
): Promise<void> {
  await tx
    .insert(journalUploadReservations)
    .values(reservation)
    .onConflictDoUpdate({
      target: journalUploadReservations.id,
      set: { bytes: reservation.bytes, expiresAt: reservation.expiresAt },
    });
}

/** Deletes a reservation; returns when it would have expired (undefined if it was gone). */
export async function deleteReservation(
  tx: Tx,
  userId: string,
  id: string,
): Promise<{ expiresAt: Date } | undefined> {
  const [row] = await tx
    .delete(journalUploadReservations)
    .where(and(eq(journalUploadReservations.userId, userId), eq(journalUploadReservations.id, id)))
    .returning({ expiresAt: journalUploadReservations.expiresAt });
  return row;
}

/** Reservations of uploads that ended without settling them (a killed process), across users. */
export async function deleteExpiredReservations(tx: Tx, now: Date): Promise<number> {
  const rows = await tx
    .delete(journalUploadReservations)
    .where(lte(journalUploadReservations.expiresAt, now))
    .returning({ id: journalUploadReservations.id });
  return rows.length;
}

export async function insertJournal(
  tx: Tx,
  journal: typeof journals.$inferInsert,
  audio: typeof audioMetadata.$inferInsert,
): Promise<void> {
  await tx.insert(journals).values(journal);
  await tx.insert(audioMetadata).values(audio);
}

const withAudio = { journal: journals, audio: audioMetadata };

export async function findJournal(
  tx: Tx,
  userId: string,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<JournalWithAudio | undefined> {
  const [row] = await tx
    .select(withAudio)
    .from(journals)
    .innerJoin(audioMetadata, eq(audioMetadata.journalId, journals.id))
    .where(
      and(
        eq(journals.userId, userId),
        eq(journals.id, id),
        options.includeDeleted ? undefined : eq(journals.isDeleted, false),
      ),
    );
  return row ? { ...row.journal, audio: row.audio } : undefined;
}

export interface ListOptions {
  limit: number;
  after?: { recordedAt: Date; id: string } | undefined;
  fromLocal?: string | undefined;
  toLocal?: string | undefined;
  favoritesOnly?: boolean | undefined;
  ids?: string[] | undefined;
  durationMin?: number | undefined;
  durationMax?: number | undefined;
}

/** Newest recordings first, keyset-paginated on (recorded_at, id). */
export async function listJournals(
  tx: Tx,
  userId: string,
  options: ListOptions,
): Promise<JournalWithAudio[]> {
  const conditions: (SQL | undefined)[] = [
    eq(journals.userId, userId),
    eq(journals.isDeleted, false),
  ];
  if (options.fromLocal) conditions.push(gte(journals.recordedLocalDate, options.fromLocal));
  if (options.toLocal) conditions.push(lte(journals.recordedLocalDate, options.toLocal));
  if (options.favoritesOnly) conditions.push(eq(journals.isFavorite, true));
  if (options.ids)
    conditions.push(options.ids.length ? inArray(journals.id, options.ids) : sql`false`);
  if (options.durationMin !== undefined)
    conditions.push(gte(journals.durationSeconds, options.durationMin));
  if (options.durationMax !== undefined)
    conditions.push(lte(journals.durationSeconds, options.durationMax));
  if (options.after) {
    const { recordedAt, id } = options.after;
    conditions.push(
      or(
        lt(journals.recordedAt, recordedAt),
        and(eq(journals.recordedAt, recordedAt), lt(journals.id, id)),
      ),
    );
  }
  const rows = await tx
    .select(withAudio)
    .from(journals)
    .innerJoin(audioMetadata, eq(audioMetadata.journalId, journals.id))
    .where(and(...conditions))
    .orderBy(desc(journals.recordedAt), desc(journals.id))
    .limit(options.limit + 1);
  return rows.map((r) => ({ ...r.journal, audio: r.audio }));
}

export async function setFavorite(
  tx: Tx,
  userId: string,
  id: string,
  favorite: boolean,
  now: Date,
): Promise<boolean> {
  const rows = await tx
    .update(journals)
    .set({ isFavorite: favorite, updatedAt: now })
    .where(and(eq(journals.userId, userId), eq(journals.id, id), eq(journals.isDeleted, false)))
    .returning({ id: journals.id });
  return rows.length > 0;
}

export async function setDeleted(
  tx: Tx,
  userId: string,
  id: string,
  deleted: boolean,
  now: Date,
): Promise<JournalRow | undefined> {
  const [row] = await tx
    .update(journals)
    .set({ isDeleted: deleted, deletedAt: deleted ? now : null, updatedAt: now })
    .where(and(eq(journals.userId, userId), eq(journals.id, id), eq(journals.isDeleted, !deleted)))
    .returning();
  return row;
}

/** Soft-deleted journals whose retention ended, across users (system scope). */
export async function expiredDeleted(tx: Tx, before: Date, limit: number) {
  return tx
    .select({ id: journals.id, storagePath: journals.storagePath })
    .from(journals)
    .where(
      and(
        eq(journals.isDeleted, true),
        isNotNull(journals.deletedAt),
        lt(journals.deletedAt, before),
      ),
    )
    .limit(limit);
}

export async function deleteJournalRows(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length) await tx.delete(journals).where(inArray(journals.id, ids));
}

/** The storage paths among `paths` that a journal row references. */
export async function referencedPaths(tx: Tx, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const rows = await tx
    .select({ path: journals.storagePath })
    .from(journals)
    .where(inArray(journals.storagePath, paths));
  return new Set(rows.map((r) => r.path));
}

export async function pathsOfUser(
  tx: Tx,
  userId: string,
): Promise<{ id: string; storagePath: string }[]> {
  return tx
    .select({ id: journals.id, storagePath: journals.storagePath })
    .from(journals)
    .where(eq(journals.userId, userId));
}

/** Deletes every journal of the user, those in the trash included; returns what they stored. */
export async function deleteAllJournals(
  tx: Tx,
  userId: string,
): Promise<{ id: string; storagePath: string }[]> {
  return tx
    .delete(journals)
    .where(eq(journals.userId, userId))
    .returning({ id: journals.id, storagePath: journals.storagePath });
}

export async function journalExists(tx: Tx, userId: string, id: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: journals.id })
    .from(journals)
    .where(and(eq(journals.userId, userId), eq(journals.id, id)));
  return row !== undefined;
}

/** Every recording of the user, deleted-but-restorable ones included, oldest first (data export). */
export async function allJournalsOf(tx: Tx, userId: string): Promise<JournalWithAudio[]> {
  const rows = await tx
    .select(withAudio)
    .from(journals)
    .innerJoin(audioMetadata, eq(audioMetadata.journalId, journals.id))
    .where(eq(journals.userId, userId))
    .orderBy(journals.recordedAt, journals.id);
  return rows.map((r) => ({ ...r.journal, audio: r.audio }));
}

/** Journals whose title is still plaintext (written before E2E text), oldest first. */
export async function listPlaintextTitles(
  tx: Tx,
  userId: string,
  limit: number,
  after: { at: Date; id: string } | undefined,
): Promise<JournalWithAudio[]> {
  const rows = await tx
    .select(withAudio)
    .from(journals)
    .innerJoin(audioMetadata, eq(audioMetadata.journalId, journals.id))
    .where(
      and(
        eq(journals.userId, userId),
        eq(journals.titlePlaintext, true),
        eq(journals.isDeleted, false),
        afterKey(journals.createdAt, journals.id, after, 'asc'),
      ),
    )
    .orderBy(asc(journals.createdAt), asc(journals.id))
    .limit(limit + 1);
  return rows.map((r) => ({ ...r.journal, audio: r.audio }));
}

/** Replaces a journal's title with an envelope (or none); whether the journal exists. */
export async function replaceTitle(
  tx: Tx,
  userId: string,
  id: string,
  title: string | null,
  now: Date,
): Promise<boolean> {
  const changed = await tx
    .update(journals)
    .set({ title, titlePlaintext: false, updatedAt: now })
    .where(and(eq(journals.userId, userId), eq(journals.id, id), eq(journals.isDeleted, false)))
    .returning({ id: journals.id });
  return changed.length > 0;
}

/** The journal's row, locked until the transaction ends (a replacement of its audio). */
export async function lockJournal(
  tx: Tx,
  userId: string,
  id: string,
): Promise<JournalRow | undefined> {
  const [row] = await tx
    .select()
    .from(journals)
    .where(and(eq(journals.userId, userId), eq(journals.id, id), eq(journals.isDeleted, false)))
    .for('update');
  return row;
}

/** Points a journal at its re-encrypted audio (and its new key and title, when given). */
export async function replaceAudio(
  tx: Tx,
  userId: string,
  id: string,
  changes: {
    storagePath: string;
    encryptionAlgorithm: string;
    encryptionIv: Buffer;
    keyEnvelope?: string | undefined;
    title?: string | null | undefined;
    fileSize: number;
    checksum: string;
    now: Date;
  },
): Promise<void> {
  const { fileSize, checksum, now, keyEnvelope, title, ...audio } = changes;
  await tx
    .update(journals)
    .set({
      ...audio,
      ...(keyEnvelope === undefined ? {} : { keyEnvelope }),
      ...(title === undefined ? {} : { title, titlePlaintext: false }),
      updatedAt: now,
    })
    .where(and(eq(journals.userId, userId), eq(journals.id, id)));
  await tx
    .update(audioMetadata)
    .set({ fileSize, checksum })
    .where(and(eq(audioMetadata.userId, userId), eq(audioMetadata.journalId, id)));
}
