// The owner column of every user-owned table: `user_id`, a foreign key to the account
// (users.id) that deletes the row together with the account.
//
// The account table belongs to the auth module; a module's tables.ts must not import it, so
// the platform names only its key here. This declaration is never a table of the schema:
// drizzle-kit reads the tables of src/modules/*/tables.ts and src/platform/*/tables.ts,
// where auth declares `users` in full; here it is only the target of the references, which
// generate exactly the foreign key the real table would.
import { pgTable, uuid } from 'drizzle-orm/pg-core';

const accountKey = pgTable('users', { id: uuid('id').primaryKey() });

/** `user_id uuid not null references users(id) on delete cascade`. */
export const ownerId = () =>
  uuid('user_id')
    .notNull()
    .references(() => accountKey.id, { onDelete: 'cascade' });
