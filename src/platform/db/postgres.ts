// PostgreSQL over the network (postgres.js), used when DATABASE_URL is set.
//
// Cost of the row-level-security scope: a scoped transaction is BEGIN, set_config, the
// work's statements and COMMIT. postgres.js pipelines statements sent on one connection,
// so BEGIN and set_config are sent without waiting and travel with the first statement of
// the work: a one-statement request costs two network round trips (that flight, then
// COMMIT) instead of four. bench/rls-overhead.ts measures it.
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { assertUuid, type Database, type ScopeOptions, type Tx } from './database.ts';

export interface PostgresOptions {
  url: string;
  poolMax: number;
  applicationName?: string;
  /** Named prepared statements (default true); turn off behind a transaction-mode PgBouncer. */
  prepare?: boolean;
}

export interface PostgresDatabase extends Database {
  readonly client: postgres.Sql;
  /** Whether the connected role bypasses row-level security (superuser or BYPASSRLS). */
  bypassesRowSecurity(): Promise<boolean>;
}

type Scope = { kind: 'user'; userId: string } | { kind: 'system' } | { kind: 'none' };

export function openPostgres(options: PostgresOptions): PostgresDatabase {
  const prepare = options.prepare ?? true;
  const client = postgres(options.url, {
    max: options.poolMax,
    idle_timeout: 60,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'amira' },
  });
  // Constructing Drizzle once registers its type parsers on the client (dates stay strings).
  drizzle({ client });
  let active = 0;
  let waiting = 0;

  async function scoped<T>(
    scope: Scope,
    work: (tx: Tx) => Promise<T>,
    scopeOptions: ScopeOptions = {},
  ): Promise<T> {
    waiting++;
    let conn: postgres.ReservedSql;
    try {
      conn = await client.reserve();
    } finally {
      waiting--;
    }
    active++;
    try {
      const setup = [conn`begin`.execute()];
      if (scope.kind === 'user') {
        setup.push(conn`select set_config('app.user_id', ${scope.userId}, true)`.execute());
      } else if (scope.kind === 'system') {
        setup.push(conn`select set_config('app.system', 'on', true)`.execute());
      }
      if (scopeOptions.genericPlans)
        setup.push(
          conn`select set_config('plan_cache_mode', 'force_generic_plan', true)`.execute(),
        );
      // Failures of these surface through the work's own statements; avoid unhandled rejections.
      for (const pending of setup) pending.catch(() => {});
      try {
        const result = await work(drizzleOn(conn));
        await Promise.all(setup);
        await conn`commit`;
        return result;
      } catch (error) {
        await conn`rollback`.catch(() => {});
        throw error;
      }
    } finally {
      active--;
      conn.release();
    }
  }

  /**
   * Drizzle over one reserved connection. Its statements are prepared (named and cached per
   * connection by postgres.js): parsed and planned once, not on every request.
   */
  function drizzleOn(conn: postgres.ReservedSql): Tx {
    const unsafe = conn.unsafe.bind(conn);
    const prepared = Object.assign(conn, {
      // A reserved connection lacks the pool's `options`, which Drizzle reads (type parsers).
      options: client.options,
      // Drizzle passes `prepare: undefined` unless a query was named with .prepare(); the
      // connection's setting wins, or every statement would be parsed and planned anew.
      unsafe: (
        query: string,
        parameters?: postgres.ParameterOrJSON<never>[],
        queryOptions?: postgres.UnsafeQueryOptions,
      ) => unsafe(query, parameters, { ...queryOptions, prepare }),
    });
    return drizzle({ client: prepared as typeof conn });
  }

  return {
    kind: 'postgres',
    client,
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
      await client`select 1`;
    },
    poolStats() {
      return { total: options.poolMax, idle: Math.max(0, options.poolMax - active), waiting };
    },
    async bypassesRowSecurity() {
      const rows = await client<{ bypass: boolean }[]>`
        select (rolsuper or rolbypassrls) as bypass from pg_roles where rolname = current_user`;
      return rows[0]?.bypass ?? true;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}
