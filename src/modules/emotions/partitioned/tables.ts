// The check-ins table, partitioned by year on created_at (native PostgreSQL range
// partitioning: the TimescaleDB substitute of DESIGN.md). drizzle-kit cannot generate
// partitioned tables, so the DDL is hand-written (migrations/0003_checkins.sql) and this
// file sits outside drizzle-kit's `src/modules/*/tables.ts` glob (a folder down); a test
// (test/emotions/checkins.test.ts, storage) checks that this definition matches the database.
import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { CheckinContext } from '../values.ts';

export const checkins = pgTable(
  'checkins',
  {
    id: uuid('id').notNull().defaultRandom(),
    userId: uuid('user_id').notNull(),
    emotionTypeId: smallint('emotion_type_id').notNull(),
    intensity: smallint('intensity').notNull(),
    context: text('context').$type<CheckinContext>().notNull(),
    /** A text envelope (docs/encryption.md); plaintext only while notesPlaintext. */
    notes: text('notes'),
    /** The notes were written before notes were encrypted end to end (the SDK re-encrypts them). */
    notesPlaintext: boolean('notes_plaintext').notNull().default(false),
    relatedJournalId: uuid('related_journal_id'),
    relatedToolId: uuid('related_tool_id'),
    /** When it happened (offline clients send it; at most 30 days back). */
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** The same instant as the user's wall clock then (their time zone at that moment). */
    localTime: timestamp('local_time', { withTimezone: false, mode: 'string' }).notNull(),
    /** When the server stored it. */
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    /** The client's id for this check-in (offline batches): re-sending it creates nothing. */
    clientId: text('client_id'),
  },
  (t) => [
    index('checkins_user_local_idx').on(t.userId, t.localTime),
    index('checkins_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('checkins_notes_plaintext_idx')
      .on(t.userId)
      .where(sql`${t.notesPlaintext}`),
  ],
);
