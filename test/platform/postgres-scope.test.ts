// The scoped transactions of the PostgreSQL adapter when something goes wrong under them:
// a statement the driver cannot send, a connection the server ends mid-transaction, a
// transaction waiting for a connection that gets killed, a server outage. Each used to
// leave a transaction "idle in transaction" for good, a caller waiting forever, a
// statement running outside its transaction or the pool a connection short
// (bench/db-scope-stress.ts reproduces them under load). PostgreSQL only.
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.ts';
import { isConnectionError } from '../../src/platform/db/errors.ts';
import { openPostgres, type PostgresDatabase } from '../../src/platform/db/postgres.ts';
import { mfaChallenges, users } from '../../src/modules/auth/tables.ts';
import { mfaChallengeCleanupJob } from '../../src/modules/auth/jobs.ts';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';
import { privatePostgres } from '../helpers/private-services.ts';
import { waitFor } from '../helpers/wait.ts';
import { bareUserRow } from '../helpers/db.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The promise's outcome, or a failure naming the hang (these bugs never answered at all). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`no answer within ${ms} ms`);
    }),
  ]);
}

function codes(error: unknown): unknown[] {
  const found = [];
  for (let current = error; current instanceof Error; current = current.cause)
    found.push((current as { code?: unknown }).code);
  return found;
}

describe.runIf(databaseKind() === 'postgres')('scoped transactions on PostgreSQL', () => {
  let url: string;
  let database: string;
  let admin: postgres.Sql;
  const opened: PostgresDatabase[] = [];
  /** One connection: whatever a transaction leaves behind, the next one gets. */
  const open = (poolMax = 1) => {
    const db = openPostgres({ url, poolMax, applicationName: 'amira-scope-test' });
    opened.push(db);
    return db;
  };
  const backends = (state: string) =>
    admin<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = ${database} and application_name = 'amira-scope-test' and state = ${state}`.then(
      ([row]) => row?.n ?? 0,
    );
  const addUser = (db: PostgresDatabase) => {
    const id = randomUUID();
    return db.asUser(id, (tx) => tx.insert(users).values(bareUserRow(id))).then(() => id);
  };
  const pidOf = async (tx: Parameters<Parameters<PostgresDatabase['asSystem']>[0]>[0]) => {
    const [row] = await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
    return row!.pid;
  };

  beforeAll(async () => {
    url = await clonePostgresDatabase();
    database = new URL(url).pathname.slice(1);
    admin = postgres(inject('postgresAdminUrl'), { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await admin?.end();
  });

  it('fails only the transaction whose parameter the driver cannot send, also once the statement is prepared', async () => {
    const db = open();
    const broken = () =>
      db.asSystem((tx) => tx.execute(sql`select ${{ an: 'object' }}::jsonb as value`));
    // The first run prepares the statement on the connection; the later ones used to leave
    // the connection idle in transaction after the set_config, waiting forever.
    for (let run = 0; run < 3; run++) {
      const error = await within(5000, broken()).catch((e: unknown) => e);
      expect(codes(error)).toContain('ERR_INVALID_ARG_TYPE');
    }
    const [row] = await within(
      5000,
      db.asSystem((tx) => queryRows<{ one: number }>(tx, sql`select 1 as one`)),
    );
    expect(row).toEqual({ one: 1 });
    expect(await backends('idle in transaction')).toBe(0);
  });

  describe('singleStatement: COMMIT sent with the work’s one statement', () => {
    const single = { singleStatement: true };

    it('commits the statement, under the caller’s scope', async () => {
      const db = open();
      const id = randomUUID();
      // .execute() sends at once; the scope's COMMIT follows it in the same flight.
      await db.asUser(id, (tx) => tx.insert(users).values(bareUserRow(id)).execute(), single);
      const other = await addUser(db);
      const seen = await db.asUser(
        id,
        (tx) => tx.select({ id: users.id }).from(users).execute(),
        single,
      );
      expect(seen).toEqual([{ id }]);
      const all = await db.asSystem((tx) =>
        tx.select({ id: users.id }).from(users).where(eq(users.id, other)),
      );
      expect(all).toEqual([{ id: other }]);
      expect(await backends('idle in transaction')).toBe(0);
    });

    it('commits as usual a work that had sent nothing yet (a lazy builder)', async () => {
      const db = open();
      const id = randomUUID();
      await db.asUser(id, (tx) => tx.insert(users).values(bareUserRow(id)), single);
      const [found] = await db.asUser(id, (tx) => tx.select({ id: users.id }).from(users));
      expect(found).toEqual({ id });
    });

    it('refuses loudly a second statement, and serves the next transaction on the connection', async () => {
      const db = open();
      const id = await addUser(db);
      const error = await within(
        5000,
        db.asUser(
          id,
          async (tx) => {
            await tx.select().from(users).execute();
            return tx.select().from(users).execute();
          },
          single,
        ),
      ).catch((e: unknown) => e);
      // Drizzle wraps it (Failed query: …); the cause says why.
      expect(String((error as Error).cause)).toContain('sent after its transaction committed');
      const [again] = await db.asUser(id, (tx) => tx.select({ id: users.id }).from(users));
      expect(again).toEqual({ id });
      expect(await backends('idle in transaction')).toBe(0);
    });

    it('rolls back a failing statement and serves the next transaction on the connection', async () => {
      const db = open();
      const id = await addUser(db);
      const duplicate = await within(
        5000,
        db.asUser(id, (tx) => tx.insert(users).values(bareUserRow(id)).execute(), single),
      ).catch((e: unknown) => e);
      expect(codes(duplicate)).toContain('23505');
      const rows = await db.asUser(
        id,
        (tx) => tx.select({ id: users.id }).from(users).execute(),
        single,
      );
      expect(rows).toEqual([{ id }]);
      expect(await backends('idle in transaction')).toBe(0);
    });
  });

  describe('statements sent together, without waiting for each other (pipelined)', () => {
    it('runs them in order in the transaction and commits them all', async () => {
      const db = open();
      const [a, b] = [randomUUID(), randomUUID()];
      // As a check-in's insert and its reactions are sent (emotions/recording.ts): none
      // waits for the one before it.
      await db.asSystem((tx) =>
        Promise.all([
          tx.insert(users).values(bareUserRow(a)).execute(),
          tx.insert(users).values(bareUserRow(b)).execute(),
        ]),
      );
      const found = await db.asSystem((tx) =>
        tx
          .select({ id: users.id })
          .from(users)
          .where(inArray(users.id, [a, b])),
      );
      expect(found.map((r) => r.id).sort()).toEqual([a, b].sort());
    });

    it('raises the first failure, keeps nothing of the others and serves the next transaction', async () => {
      const db = open();
      const existing = await addUser(db);
      const fresh = randomUUID();
      const error = await within(
        5000,
        db.asSystem((tx) =>
          Promise.all([
            tx.insert(users).values(bareUserRow(existing)).execute(),
            tx.insert(users).values(bareUserRow(fresh)).execute(),
          ]),
        ),
      ).catch((e: unknown) => e);
      // The duplicate, not the "transaction is aborted" of the statement behind it.
      expect(codes(error)).toContain('23505');
      const found = await db.asSystem((tx) =>
        tx.select({ id: users.id }).from(users).where(eq(users.id, fresh)),
      );
      expect(found).toEqual([]);
      expect(await backends('idle in transaction')).toBe(0);
    });
  });

  it('runs the MFA challenge cleanup hour after hour on the same connection', async () => {
    const db = open();
    const userId = await addUser(db);
    const clock = { now: () => new Date() };
    const job = mfaChallengeCleanupJob({ db, clock });
    const insertChallenge = (expiresAt: Date) =>
      db.asUser(userId, (tx) =>
        tx.insert(mfaChallenges).values({ userId, tokenHash: randomBytes(32), expiresAt }),
      );
    const remaining = () =>
      db.asUser(userId, (tx) => tx.select().from(mfaChallenges)).then((rows) => rows.length);
    for (let run = 0; run < 3; run++) {
      await insertChallenge(new Date(Date.now() - 2 * 86_400_000)); // a day past the grace
      await insertChallenge(new Date(Date.now() + 300_000)); // still live
      // A Date as a raw parameter: was refused by the driver, then hung on the next run.
      await within(5000, job.handler({}, { jobId: `run-${run}`, attempt: 0 }));
      expect(await remaining()).toBe(run + 1);
    }
  });

  it('ends a transaction whose connection the server closed, runs nothing of it elsewhere and serves the next on a new session', async () => {
    const db = open();
    const userId = await addUser(db);
    let killed = 0;
    const error = await within(
      10_000,
      db.asUser(userId, async (tx) => {
        await tx.update(users).set({ timeZone: 'Europe/Madrid' }).where(eq(users.id, userId));
        killed = await pidOf(tx);
        await admin`select pg_terminate_backend(${killed})`;
        await waitFor(
          async () =>
            (await admin`select 1 from pg_stat_activity where pid = ${killed}`).length === 0,
        );
        await sleep(50);
        // The connection is gone: this must not run, neither here nor on a new session.
        await tx.update(users).set({ timeZone: 'America/Lima' }).where(eq(users.id, userId));
      }),
    ).catch((e: unknown) => e);
    expect(isConnectionError(error)).toBe(true);

    const after = await within(
      5000,
      db.asUser(userId, async (tx) => ({
        pid: await pidOf(tx),
        zone: (await tx.select({ zone: users.timeZone }).from(users))[0]?.zone,
      })),
    );
    expect(after.zone).toBe('UTC');
    expect(after.pid).not.toBe(killed);
  });

  it('serves a transaction that waited for a connection the server then killed', async () => {
    const db = open();
    let holder = 0;
    const holding = db
      .asSystem(async (tx) => {
        holder = await pidOf(tx);
        await tx.execute(sql`select pg_sleep(30)`);
      })
      .catch((e: unknown) => e);
    await waitFor(async () => holder !== 0);
    const waiting = db.asSystem((tx) => queryRows<{ one: number }>(tx, sql`select 1 as one`));
    await sleep(100);
    await admin`select pg_terminate_backend(${holder})`;
    expect(isConnectionError(await within(5000, holding))).toBe(true);
    // The waiting reservation used to be dropped by the driver for good.
    expect(await within(5000, waiting)).toEqual([{ one: 1 }]);
  });
});

describe.runIf(databaseKind() === 'postgres')('the pool after a PostgreSQL outage', () => {
  it('serves with every connection again', async () => {
    const pg = await privatePostgres();
    const db = openPostgres({ url: pg.url, poolMax: 3 });
    try {
      // Three transactions that each wait until all three hold a connection at once.
      const allAtOnce = async () => {
        let started = 0;
        const together = () =>
          db.asSystem(async (tx) => {
            await tx.execute(sql`select 1`);
            started++;
            await waitFor(async () => started === 3, { timeoutMs: 5000, what: 'three at once' });
          });
        await Promise.all([together(), together(), together()]);
      };
      await allAtOnce();
      await pg.stop();
      const during = await Promise.allSettled(
        Array.from({ length: 9 }, () => db.asSystem((tx) => tx.execute(sql`select 1`))),
      );
      expect(during.every((outcome) => outcome.status === 'rejected')).toBe(true);
      await pg.start();
      await waitFor(() =>
        db
          .asSystem((tx) => tx.execute(sql`select 1`))
          .then(
            () => true,
            () => false,
          ),
      );
      // Was: each reservation that failed during the outage later took a connection with it.
      await allAtOnce();
    } finally {
      await db.close();
      await pg.destroy();
    }
  }, 120_000);
});
