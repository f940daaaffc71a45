// The connections of the PostgreSQL adapter: our own pool of postgres.js clients of one
// connection each, lent to one transaction at a time.
//
// Why not the driver's pool with sql.reserve(): in postgres.js 3.4.9 (the latest 3.x) a
// reservation waiting for a connection is lost for good when a connection closes meanwhile
// (porsager/postgres#1195), a reservation that failed while the server was down later
// swallows the connection that was meant for it (measured: a pool of 3 served with 2 after
// an outage, for good), and a connection closed while a write was pending can never send
// again (every reconnect ends in CONNECT_TIMEOUT; porsager/postgres#1209). Here a
// connection whose session broke is never reused: its client is ended and a fresh one
// takes its place.
import type postgres from 'postgres';
import type { PoolStats } from './database.ts';

export interface PooledConnection {
  /** A postgres.js client of exactly one connection. */
  readonly sql: postgres.Sql;
  /** Told when the connection closes, while a transaction holds it. */
  onclose: (() => void) | undefined;
}

export interface ConnectionPool {
  /** A connection for one transaction; fails after the pool's wait bound. */
  acquire(): Promise<PooledConnection>;
  /** Back to the pool; a connection that is not `reusable` is ended and replaced. */
  release(connection: PooledConnection, reusable: boolean): void;
  stats(): PoolStats;
  close(): Promise<void>;
}

export interface ConnectionPoolOptions {
  size: number;
  /** Longest wait for a free connection (ms). */
  waitMs: number;
  /** An unused connection is closed after this long (ms). */
  idleMs: number;
  /**
   * A connection is replaced, between transactions, once between this old and twice that
   * (spread, so a pool opened at once is not replaced at once; ms; 0: never).
   */
  lifetimeMs: number;
  /** Opens a client of one connection; `onclose` runs whenever its connection closes. */
  open(onclose: () => void): postgres.Sql;
}

interface Entry extends PooledConnection {
  retireAt: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export function createConnectionPool(options: ConnectionPoolOptions): ConnectionPool {
  const all = new Set<Entry>();
  const idle: Entry[] = [];
  const waiters: {
    admit: (entry: Entry) => void;
    refuse: (error: Error) => void;
    timer: NodeJS.Timeout;
  }[] = [];
  let count = 0;
  let closing = false;

  function create(): Entry {
    count++;
    const entry: Entry = {
      sql: undefined as unknown as postgres.Sql,
      onclose: undefined,
      retireAt:
        options.lifetimeMs > 0
          ? performance.now() + options.lifetimeMs * (1 + Math.random())
          : Infinity,
      idleTimer: undefined,
    };
    Object.assign(entry, { sql: options.open(() => entry.onclose?.()) });
    all.add(entry);
    return entry;
  }

  function discard(entry: Entry, graceful: boolean): void {
    count--;
    all.delete(entry);
    clearTimeout(entry.idleTimer);
    // Without grace, statements still queued in the client are rejected (the driver would
    // otherwise send them on a new session, outside the transaction they belonged to).
    entry.sql.end({ timeout: graceful ? 5 : 0 }).catch(() => {});
  }

  /** To the first in line, or to the idle stack. */
  function offer(entry: Entry): void {
    const waiter = waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.admit(entry);
      return;
    }
    entry.idleTimer = setTimeout(() => {
      idle.splice(idle.indexOf(entry), 1);
      discard(entry, true);
    }, options.idleMs);
    entry.idleTimer.unref();
    idle.push(entry);
  }

  return {
    async acquire() {
      if (closing) throw Object.assign(new Error('The database pool is closed'), poolEnded);
      const entry = idle.pop();
      if (entry) {
        clearTimeout(entry.idleTimer);
        return entry;
      }
      if (count < options.size) return create();
      return new Promise<Entry>((resolve, reject) => {
        const waiter = {
          admit: resolve,
          refuse: reject,
          timer: setTimeout(() => {
            waiters.splice(waiters.indexOf(waiter), 1);
            reject(poolTimeout(options.waitMs));
          }, options.waitMs),
        };
        waiters.push(waiter);
      });
    },
    release(connection, reusable) {
      const entry = connection as Entry;
      entry.onclose = undefined;
      if (reusable && performance.now() < entry.retireAt && !closing) {
        offer(entry);
        return;
      }
      discard(entry, reusable);
      if (!closing && waiters.length > 0) offer(create());
    },
    stats() {
      return {
        total: options.size,
        idle: options.size - (count - idle.length),
        waiting: waiters.length,
      };
    },
    async close() {
      closing = true;
      for (const waiter of waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.refuse(Object.assign(new Error('The database pool is closed'), poolEnded));
      }
      idle.splice(0);
      await Promise.allSettled(
        [...all].map((entry) => {
          clearTimeout(entry.idleTimer);
          return entry.sql.end({ timeout: 5 });
        }),
      );
    },
  };
}

const poolEnded = { code: 'CONNECTION_ENDED' };

export function poolTimeout(ms: number): Error {
  return Object.assign(new Error(`No database connection became free within ${ms} ms`), {
    code: 'CONNECTION_POOL_TIMEOUT',
  });
}
