// Tables owned by the journals module: the Journal and AudioMetadata of the spec, plus
// what the encryption protocol needs (IV, algorithm, which data key).
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { ownerId } from '../../platform/db/owner.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

export const journals = pgTable(
  'journals',
  {
    id: uuid('id').primaryKey(),
    userId: ownerId(),
    /** A text envelope (docs/encryption.md); plaintext only while titlePlaintext. */
    title: text('title'),
    /** The title was written before titles were encrypted end to end (the SDK re-encrypts it). */
    titlePlaintext: boolean('title_plaintext').notNull().default(false),
    /**
     * The journal's own key wrapped under the user's data key (opaque): it encrypts this
     * journal's audio and title. Absent on journals uploaded before journal keys.
     */
    keyEnvelope: text('key_envelope'),
    durationSeconds: integer('duration_seconds').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    /** The user's calendar day of the recording (their time zone then). */
    recordedLocalDate: date('recorded_local_date', { mode: 'string' }).notNull(),
    isFavorite: boolean('is_favorite').notNull().default(false),
    storagePath: text('storage_path').notNull(),
    encryptionAlgorithm: text('encryption_algorithm').notNull().default('AES-256-GCM'),
    encryptionIv: bytea('encryption_iv').notNull(),
    /** Which of the user's data keys encrypted it (opaque to the server), e.g. after a reset. */
    dataKeyId: text('data_key_id'),
    isUploaded: boolean('is_uploaded').notNull().default(true),
    isDeleted: boolean('is_deleted').notNull().default(false),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('journals_user_iv_key').on(t.userId, t.encryptionIv),
    uniqueIndex('journals_storage_path_key').on(t.storagePath),
    index('journals_user_recorded_idx').on(t.userId, t.isDeleted, t.recordedAt, t.id),
    index('journals_title_plaintext_idx')
      .on(t.userId)
      .where(sql`${t.titlePlaintext}`),
    index('journals_deleted_idx')
      .on(t.deletedAt)
      .where(sql`${t.isDeleted}`),
    check('journals_duration_check', sql`${t.durationSeconds} between 0 and 86400`),
    // 12: the IV of a whole-file recording; 7: the nonce prefix of a segmented one.
    check('journals_iv_length_check', sql`octet_length(${t.encryptionIv}) in (7, 12)`),
    // An envelope of at most 800 bytes of UTF-8 (200 characters of any script).
    check('journals_title_length_check', sql`char_length(${t.title}) <= 1108`),
  ],
);

export const audioMetadata = pgTable(
  'audio_metadata',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    journalId: uuid('journal_id')
      .notNull()
      .references(() => journals.id, { onDelete: 'cascade' }),
    userId: ownerId(),
    format: text('format').notNull(),
    sampleRate: integer('sample_rate').notNull(),
    bitRate: integer('bit_rate').notNull(),
    channels: smallint('channels').notNull(),
    fileSize: bigint('file_size', { mode: 'number' }).notNull(),
    checksum: text('checksum').notNull(),
  },
  (t) => [
    uniqueIndex('audio_metadata_journal_key').on(t.journalId),
    index('audio_metadata_user_idx').on(t.userId),
  ],
);

/**
 * Room in the storage quota held by an upload while its bytes stream (no transaction stays
 * open meanwhile). Taken and grown under a per-user advisory lock, checked as stored bytes
 * + live reservations + asked ≤ quota, replaced by the journal row in the journal's insert
 * transaction, deleted when the upload fails. A process killed mid-upload leaves one
 * behind: once expired it no longer counts, and the orphan sweep deletes it.
 */
export const journalUploadReservations = pgTable(
  'journal_upload_reservations',
  {
    id: uuid('id').primaryKey(),
    userId: ownerId(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('journal_upload_reservations_user_idx').on(t.userId, t.expiresAt),
    check('journal_upload_reservations_bytes_check', sql`${t.bytes} >= 0`),
  ],
);

/**
 * A link that lets someone without an account play one recording (docs/encryption.md,
 * sharing). The server holds no key: the journal's key travels in the link's fragment,
 * which browsers never send. `downloads` is counted atomically against `max_downloads`.
 */
export const journalShares = pgTable(
  'journal_shares',
  {
    id: uuid('id').primaryKey(),
    journalId: uuid('journal_id')
      .notNull()
      .references(() => journals.id, { onDelete: 'cascade' }),
    userId: ownerId(),
    /** A text envelope under the owner's data key (who the link is for); never shown to the recipient. */
    label: text('label'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    maxDownloads: integer('max_downloads'),
    downloads: integer('downloads').notNull().default(0),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('journal_shares_journal_idx').on(t.journalId, t.createdAt),
    index('journal_shares_user_idx').on(t.userId),
    check('journal_shares_downloads_check', sql`${t.downloads} >= 0`),
    check('journal_shares_max_downloads_check', sql`${t.maxDownloads} between 1 and 1000`),
    // An envelope of at most 400 bytes of UTF-8.
    check('journal_shares_label_length_check', sql`char_length(${t.label}) <= 572`),
  ],
);
