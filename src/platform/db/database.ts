// The database port. Repositories receive a `Tx` (a Drizzle query builder bound to one
// transaction); services open transactions through `Database` in one of two scopes:
//
//  - asUser(userId, work): row-level security sees only that user's rows. Every request
//    made on behalf of a signed-in user runs here, so a query that forgets its owner
//    filter still cannot read or write another user's data.
//  - asSystem(work): for the few operations that are not on behalf of one user (looking up
//    an email at login, jobs that scan all users, administration). Explicit in the code.
//
// A query run in neither scope sees no user-owned rows at all (see migrations: policies
// key on `app.user_id` / `app.system`, both transaction-local settings).
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';

export type Tx = PgDatabase<PgQueryResultHKT>;

export type DatabaseKind = 'pglite' | 'postgres';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface ScopeOptions {
  /**
   * Plan prepared statements once for all parameter values. For scans over many check-in
   * partitions, planning costs more than executing; the generic plan prunes at run time.
   */
  genericPlans?: boolean;
  /**
   * The work sends one statement, at once (before its first await), and nothing after it:
   * COMMIT then travels in the same flight as BEGIN, the scope and the statement — one round
   * trip instead of two (issue 17: the hot reads). A work that sent nothing yet commits as
   * usual; one that sends a second statement fails loudly. PGlite ignores it.
   */
  singleStatement?: boolean;
}

/** How many times each server-side bound ended work of ours (see openPostgres). */
export interface DatabaseTimeouts {
  /** statement_timeout cancelled a statement. */
  statement: number;
  /** idle_in_transaction_session_timeout ended a session whose transaction sat idle. */
  idle_in_transaction: number;
}

export interface Database {
  readonly kind: DatabaseKind;
  asUser<T>(userId: string, work: (tx: Tx) => Promise<T>, options?: ScopeOptions): Promise<T>;
  asSystem<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs without any scope: user-owned tables look empty. Used by health checks and tests. */
  unscoped<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  poolStats(): PoolStats;
  /** Counts since start; absent where the server enforces no timeouts (PGlite). */
  timeouts?(): DatabaseTimeouts;
  close(): Promise<void>;
}

/** Rows of a raw SQL query, whichever driver runs it (PGlite returns {rows}, postgres.js an array). */
export async function queryRows<Row>(tx: Tx, query: SQL): Promise<Row[]> {
  const result: unknown = await tx.execute(query);
  if (Array.isArray(result)) return result as Row[];
  return (result as { rows?: Row[] }).rows ?? [];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

export function assertUuid(value: string): void {
  if (!UUID.test(value)) throw new TypeError('A user scope needs a UUID');
}

/** The application role that owns the schema and is subject to row-level security. */
export const APP_ROLE = 'amira_app';
