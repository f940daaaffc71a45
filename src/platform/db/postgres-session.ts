// One scoped transaction's connection on PostgreSQL, watched from BEGIN to its end: a
// session that broke fails its caller at once and its connection is never reused.
import postgres from 'postgres';
import type { DatabaseTimeouts } from './database.ts';

const QUERY_CANCELED = '57014';
const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

export interface Session {
  begin(): Promise<unknown>;
  /** Sends a statement of the transaction (refused once the session broke) and watches it. */
  send<Q extends Promise<unknown>>(query: Q): Q;
  /** Statements sent so far. */
  sent(): number;
  /** Sends the transaction's last statement (COMMIT): any statement sent after it is refused. */
  sendLast<Q extends Promise<unknown>>(query: Q): Q;
  /** The promise, or the session's failure if it breaks first (a broken session may never answer). */
  unlessBroken<T>(pending: PromiseLike<T>): Promise<T>;
  broken(): boolean;
  /** The pool tells the session when its connection closes. */
  onclose(): void;
  /** Ends the watch; whether the connection can serve another transaction. */
  end(): boolean;
}

/**
 * The session breaks when:
 *  - its connection closes (the server ended the session: idle-in-transaction timeout, a
 *    terminated backend, a restart; or the network dropped it). postgres.js would send the
 *    transaction's next statements on a new session, outside the transaction, or crash the
 *    process writing to the closed socket (porsager/postgres#1155, #1208);
 *  - a statement fails on the client side (a parameter the driver cannot serialise, an
 *    undefined value). postgres.js 3.4.9 then rejects whichever statement was in flight and
 *    keeps the failed one as if it had been sent, waiting for its answer forever
 *    (porsager/postgres#1082). That is how a scheduled job's connection sat "idle in
 *    transaction" after its set_config for 25 minutes, holding a pool slot. Ending the
 *    connection makes the server roll the transaction back.
 */
export function watchSession(
  sql: postgres.Sql,
  idleInTransactionTimeoutMs: number,
  timeouts: DatabaseTimeouts,
): Session {
  let inFlight = 0;
  let sent = 0;
  let closed = false;
  let idleSince = performance.now();
  let failure: Error | undefined;
  let ended = false;
  let rejectBroken: (error: Error) => void = () => {};
  const broken = new Promise<never>((_, reject) => (rejectBroken = reject));
  broken.catch(() => {});

  const fail = (error: Error) => {
    if (failure || ended) return;
    failure = error;
    rejectBroken(error);
  };

  const observe = (error: unknown) => {
    if (error instanceof postgres.PostgresError) {
      if (error.code === QUERY_CANCELED && error.message.includes('statement timeout'))
        timeouts.statement++;
      if (error.code === IDLE_IN_TRANSACTION_TIMEOUT) {
        if (!failure && !ended) timeouts.idle_in_transaction++;
        fail(error);
      } else if (error.severity === 'FATAL' || error.severity === 'PANIC') {
        fail(error);
      }
      // Any other server error aborts the transaction; the connection is fine.
      return;
    }
    // The connection failed, or the driver may have lost track of it (above).
    fail(error instanceof Error ? error : new Error(String(error)));
  };

  const session: Session = {
    begin() {
      return session.send(sql`begin`);
    },
    send(query) {
      if (failure) throw failure;
      if (closed)
        throw new Error(
          'A statement was sent after its transaction committed: a work declared singleStatement sent more than one',
        );
      sent++;
      inFlight++;
      // then() also starts the query (postgres.js queries are lazy).
      query.then(
        () => {
          if (--inFlight === 0) idleSince = performance.now();
        },
        (error: unknown) => {
          if (--inFlight === 0) idleSince = performance.now();
          observe(error);
        },
      );
      return query;
    },
    sent: () => sent,
    sendLast(query) {
      const last = session.send(query);
      closed = true;
      return last;
    },
    unlessBroken(pending) {
      // Awaited once: a Drizzle query returned as is by the work runs on every then().
      const settled = Promise.resolve(pending);
      settled.catch(() => {});
      return Promise.race([settled, broken]);
    },
    broken: () => failure !== undefined,
    onclose() {
      if (failure || ended) return;
      const idleFor = performance.now() - idleSince;
      if (
        inFlight === 0 &&
        idleInTransactionTimeoutMs > 0 &&
        idleFor >= idleInTransactionTimeoutMs * 0.9
      ) {
        // The server's FATAL arrives while no statement waits for an answer, and
        // postgres.js drops such errors: a close after an idle gap this long is the timeout.
        timeouts.idle_in_transaction++;
        fail(idleTimeout(idleInTransactionTimeoutMs));
      } else {
        fail(connectionClosed());
      }
    },
    end() {
      ended = true;
      return failure === undefined;
    },
  };
  return session;
}

function idleTimeout(ms: number): Error {
  return Object.assign(
    new Error(
      `The transaction sat idle for more than ${ms} ms and PostgreSQL ended it ` +
        '(idle_in_transaction_session_timeout); it was rolled back',
    ),
    { code: IDLE_IN_TRANSACTION_TIMEOUT },
  );
}

function connectionClosed(): Error {
  return Object.assign(new Error('The database connection closed during the transaction'), {
    code: 'CONNECTION_CLOSED',
  });
}
