// Tables owned by the users module: the full data exports. (The account itself, its profile
// and devices are the auth module's tables, reached through its ports: see index.ts.)
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { ownerId } from '../../platform/db/owner.ts';
import type { ExportStatus } from './values.ts';

/** A download of everything the account holds; the zip lives in storage until expires_at. */
export const dataExports = pgTable(
  'data_exports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: ownerId(),
    status: text('status').$type<ExportStatus>().notNull().default('queued'),
    /** 0–100. */
    progress: integer('progress').notNull().default(0),
    objectKey: text('object_key'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('data_exports_user_idx').on(t.userId, t.createdAt),
    index('data_exports_expires_idx').on(t.expiresAt),
    check(
      'data_exports_status_check',
      sql`${t.status} in ('queued', 'running', 'ready', 'failed')`,
    ),
  ],
);
