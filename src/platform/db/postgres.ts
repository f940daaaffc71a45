// PostgreSQL over the network (postgres.js), used when DATABASE_URL is set.
//
// Cost of the row-level-security scope: a scoped transaction is BEGIN, set_config, the
// work's statements and COMMIT. postgres.js pipelines statements sent on one connection,
// so BEGIN and set_config are sent without waiting and travel with the first statement of
// the work: a one-statement request costs two network round trips (that flight, then
// COMMIT) instead of four. bench/rls-overhead.ts measures it.
//
// No transaction runs unbounded or leaves its connection in an unknown state: the server
// bounds every statement and every idle gap inside a transaction (statement_timeout and
// idle_in_transaction_session_timeout, sent when each connection starts); a transaction
// whose session broke fails at once and its connection is replaced, never reused
// (postgres-session.ts, postgres-pool.ts). bench/db-scope-stress.ts runs this under load.
import postgres from 'postgres';
import { sql as statement } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import {
  assertUuid,
  queryRows,
  type Database,
  type DatabaseTimeouts,
  type ScopeOptions,
  type Tx,
} from './database.ts';
import { createConnectionPool, type PooledConnection } from './postgres-pool.ts';
import { watchSession, type Session } from './postgres-session.ts';

export interface PostgresOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
  /** Named prepared statements (default true); turn off behind a transaction-mode PgBouncer. */
  prepare?: boolean;
  /** The server cancels a statement running longer than this (ms; 0 or absent: no limit). */
  statementTimeoutMs?: number;
  /**
   * The server ends a session whose transaction sits idle longer than this between two
   * statements (ms; 0 or absent: no limit). The transaction is rolled back.
   */
  idleInTransactionTimeoutMs?: number;
  /** An unused connection is closed after this long (default 60 s). */
  idleTimeoutSeconds?: number;
  /** A connection is replaced, between transactions, after 1–2 times this (default 30 min). */
  maxLifetimeSeconds?: number;
  /** How long a transaction waits for a free connection before it fails (ms, default 30 s). */
  poolWaitMs?: number;
}

export interface PostgresDatabase extends Database {
  /** Whether the connected role bypasses row-level security (superuser or BYPASSRLS). */
  bypassesRowSecurity(): Promise<boolean>;
}

type Scope = { kind: 'user'; userId: string } | { kind: 'system' } | { kind: 'none' };

/** Drizzle writes its type parsers into a client's `options`; a scope's copy writes here. */
const DRIZZLE_OPTIONS_SINK = { parsers: {}, serializers: {} };

export function openPostgres(options: PostgresOptions): PostgresDatabase {
  ignoreDroppedTypeFetches();
  const prepare = options.prepare ?? true;
  const idleInTransactionTimeoutMs = options.idleInTransactionTimeoutMs ?? 0;
  const timeouts: DatabaseTimeouts = { statement: 0, idle_in_transaction: 0 };
  const pool = createConnectionPool({
    size: options.poolMax,
    waitMs: options.poolWaitMs ?? 30_000,
    idleMs: (options.idleTimeoutSeconds ?? 60) * 1000,
    lifetimeMs: (options.maxLifetimeSeconds ?? 30 * 60) * 1000,
    open: (onclose) => {
      const client = postgres(options.url, {
        max: 1,
        // The pool closes idle connections and retires old ones between transactions; the
        // driver's own timers would also fire in the middle of one.
        idle_timeout: 0,
        max_lifetime: 0,
        connect_timeout: 5,
        prepare,
        onnotice: () => {},
        onclose,
        // Startup parameters: every connection carries the bounds (0 leaves one out).
        connection: {
          application_name: options.applicationName ?? 'amira',
          ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
          ...(idleInTransactionTimeoutMs
            ? { idle_in_transaction_session_timeout: idleInTransactionTimeoutMs }
            : {}),
        },
      });
      // Drizzle's type parsers (dates stay strings), then Dates as raw parameters.
      drizzle({ client });
      serializeDates(client);
      return client;
    },
  });

  async function scoped<T>(
    scope: Scope,
    work: (tx: Tx) => Promise<T>,
    scopeOptions: ScopeOptions = {},
  ): Promise<T> {
    const connection = await pool.acquire();
    const { sql } = connection;
    const session = watchSession(sql, idleInTransactionTimeoutMs, timeouts);
    connection.onclose = () => session.onclose();
    try {
      const setup = [session.begin()];
      if (scope.kind === 'user') {
        setup.push(session.send(sql`select set_config('app.user_id', ${scope.userId}, true)`));
      } else if (scope.kind === 'system') {
        setup.push(session.send(sql`select set_config('app.system', 'on', true)`));
      }
      if (scopeOptions.genericPlans)
        setup.push(
          session.send(sql`select set_config('plan_cache_mode', 'force_generic_plan', true)`),
        );
      // Failures of these surface through the work's own statements; avoid unhandled rejections.
      for (const pending of setup) pending.catch(() => {});
      let commit: Promise<unknown> | undefined;
      try {
        const sentBefore = session.sent();
        const pending = work(drizzleOn(connection, session));
        // The work's one statement is on its way: COMMIT follows it in the same flight.
        if (scopeOptions.singleStatement && session.sent() === sentBefore + 1)
          commit = session.sendLast(sql`commit`);
        const result = await session.unlessBroken(pending);
        await session.unlessBroken(Promise.all(setup));
        await session.unlessBroken(commit ?? session.send(sql`commit`));
        return result;
      } catch (error) {
        // A broken session has nothing to roll back: the server ends the transaction with it;
        // after an early COMMIT, PostgreSQL has ended it already (rolled back if it failed).
        if (!session.broken() && !commit)
          await session.unlessBroken(session.send(sql`rollback`)).catch(() => {});
        if (commit) await commit.catch(() => {});
        throw error;
      }
    } finally {
      pool.release(connection, session.end());
    }
  }

  /**
   * Drizzle over the transaction's connection. Its statements are prepared (named and cached
   * per connection by postgres.js): parsed and planned once, not on every request.
   */
  function drizzleOn(connection: PooledConnection, session: Session): Tx {
    const { sql } = connection;
    // Only what Drizzle uses: nested transactions (its client.begin) are not supported.
    const client = {
      options: DRIZZLE_OPTIONS_SINK,
      // Drizzle passes `prepare: undefined` unless a query was named with .prepare(); the
      // connection's setting wins, or every statement would be parsed and planned anew.
      unsafe: (
        query: string,
        parameters?: postgres.ParameterOrJSON<never>[],
        queryOptions?: postgres.UnsafeQueryOptions,
      ) => session.send(sql.unsafe(query, parameters, { ...queryOptions, prepare })),
    };
    return drizzle({ client: client as unknown as postgres.Sql });
  }

  return {
    kind: 'postgres',
    async asUser(userId, work, scopeOptions) {
      assertUuid(userId);
      return scoped({ kind: 'user', userId }, work, scopeOptions);
    },
    asSystem(work) {
      return scoped({ kind: 'system' }, work);
    },
    unscoped(work) {
      return scoped({ kind: 'none' }, work);
    },
    async ping() {
      await scoped({ kind: 'none' }, (tx) => tx.execute(statement`select 1`));
    },
    poolStats: () => pool.stats(),
    timeouts: () => ({ ...timeouts }),
    async bypassesRowSecurity() {
      const rows = await scoped({ kind: 'none' }, (tx) =>
        queryRows<{ bypass: boolean }>(
          tx,
          statement`select (rolsuper or rolbypassrls) as bypass
                    from pg_roles where rolname = current_user`,
        ),
      );
      return rows[0]?.bypass ?? true;
    },
    close: () => pool.close(),
  };
}

/**
 * Drizzle replaces postgres.js's serializers of the date and time types with pass-throughs
 * (its columns hand over strings), so a Date given as a raw `sql` parameter reached the wire
 * as an object and failed on the client side. Back to what the driver does: ISO 8601.
 */
function serializeDates(client: postgres.Sql): void {
  const serializers = client.options.serializers as Record<number, (value: unknown) => unknown>;
  for (const oid of [1082, 1083, 1114, 1184]) {
    const original = serializers[oid];
    serializers[oid] = (value) =>
      value instanceof Date ? value.toISOString() : original ? original(value) : value;
  }
}

/**
 * postgres.js reads the array types with an internal query on every new connection and
 * drops that query's promise (porsager/postgres#1192, #1223): when the connection dies
 * during it (a restart, a terminated backend, a connection we end), the rejection is
 * unhandled and Node ends the process. Only that rejection is ignored (its error names
 * the catalog query); any other is raised as Node would without this listener, unless
 * someone else listens for them too.
 */
function ignoreDroppedTypeFetches(): void {
  if (typeFetchGuard) return;
  typeFetchGuard = (reason: unknown) => {
    const query = (reason as { query?: unknown } | null)?.query;
    if (typeof query === 'string' && query.includes('typarray') && query.includes('pg_type'))
      return;
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  };
  process.on('unhandledRejection', typeFetchGuard);
}
let typeFetchGuard: ((reason: unknown) => void) | undefined;
