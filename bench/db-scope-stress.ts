// Stress of the scoped transactions (db.asUser / db.asSystem) on PostgreSQL, looking for
// a transaction left "idle in transaction" or a caller that never returns.
//
// Many concurrent transactions of the shapes the app uses (1–5 statements, parameters,
// statements not yet prepared on the connection, failures and rollbacks, the MFA cleanup
// job's delete) run on a small pool with short idle and lifetime limits, while a monitor
// polls pg_stat_activity and, with --kill, a chaos loop terminates random backends of the
// pool (pg_terminate_backend), as a failover, an operator or a server timeout would.
//
// Usage: node bench/db-scope-stress.ts [--seconds=20] [--kill] [--pool=3] [--lifetime=2]
//        [--idle=1] [--concurrency=24] [--statement-timeout=ms] [--idle-in-transaction=ms]
//        [--module=../some/other/postgres.ts]   (an openPostgres to compare, e.g. an old one)
// Prints what it saw; exits 1 when a transaction stayed idle in transaction or a caller hung.
// Figures before and after the fix: docs/runbooks.md ("Idle in transaction").
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { bareUserRow } from '../test/helpers/db.ts';
import { sql } from 'drizzle-orm';
import { openPostgres as currentOpenPostgres } from '../src/platform/db/postgres.ts';
import type { Tx } from '../src/platform/db/database.ts';
import { users, mfaChallenges } from '../src/modules/auth/tables.ts';
import { deleteExpiredChallenges } from '../src/modules/auth/mfa/repository.ts';
import { ADMIN_URL, withBenchDatabase } from './support/database.ts';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key ?? '', value ?? 'true'];
  }),
);
const SECONDS = Number(args.get('seconds') ?? 20);
const KILL = args.has('kill');
const POOL = Number(args.get('pool') ?? 3);
const LIFETIME = Number(args.get('lifetime') ?? 2);
const IDLE = Number(args.get('idle') ?? 1);
const CONCURRENCY = Number(args.get('concurrency') ?? 24);
const STATEMENT_TIMEOUT_MS = Number(args.get('statement-timeout') ?? 0);
const IDLE_IN_TRANSACTION_MS = Number(args.get('idle-in-transaction') ?? 0);
/** A caller still waiting after this long is counted as hung. */
const HUNG_MS = 8_000;
/** A backend idle in transaction for longer than this is counted as stuck. */
const STUCK_IDLE_SECONDS = 3;
const APP = `amira-stress-${process.pid}`;
/** Another implementation of openPostgres to compare (e.g. the previous version's file). */
const openPostgres: typeof currentOpenPostgres = args.has('module')
  ? ((await import(args.get('module')!)) as { openPostgres: typeof currentOpenPostgres })
      .openPostgres
  : currentOpenPostgres;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
const uncaught: string[] = [];
process.on('uncaughtException', (error) => {
  uncaught.push(
    String(error.stack ?? error)
      .split('\n')
      .slice(0, 3)
      .join(' | '),
  );
});
let droppedTypeFetches = 0;
process.on('unhandledRejection', (error) => {
  // postgres.js's own array-type query, which openPostgres's listener ignores.
  const query = (error as { query?: unknown } | null)?.query;
  if (typeof query === 'string' && query.includes('typarray')) {
    droppedTypeFetches++;
    return;
  }
  uncaught.push('unhandled rejection: ' + String(error));
});

/** One statement of the kinds the repositories send. */
async function statement(tx: Tx, userId: string): Promise<void> {
  switch (Math.floor(Math.random() * 6)) {
    case 0:
      await tx
        .select({ id: users.id })
        .from(users)
        .where(sql`${users.id} = ${userId}`);
      return;
    case 1:
      // A statement text this connection has probably not prepared yet (describe first).
      await tx.execute(sql`select ${Math.random()}::float8 + ${sql.raw(String(randomInt(400)))}`);
      return;
    case 2:
      await tx
        .update(users)
        .set({ updatedAt: new Date() })
        .where(sql`${users.id} = ${userId}`);
      return;
    case 3:
      await tx.insert(mfaChallenges).values({
        userId,
        tokenHash: randomBytes(16),
        expiresAt: new Date(Date.now() - 2 * 86_400_000),
      });
      return;
    case 4:
      await tx.execute(sql`select pg_sleep(${Math.random() * 0.02})`);
      return;
    default:
      await tx.execute(sql`select count(*) from ${mfaChallenges}`);
  }
}

function randomInt(max: number): number {
  return Math.floor(Math.random() * max);
}

await withBenchDatabase('stress', async (url) => {
  const admin = postgres(ADMIN_URL, { max: 2, onnotice: () => {} });
  const database = new URL(url).pathname.slice(1);
  const db = openPostgres({
    url,
    poolMax: POOL,
    applicationName: APP,
    idleTimeoutSeconds: IDLE,
    maxLifetimeSeconds: LIFETIME,
    statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: IDLE_IN_TRANSACTION_MS,
  });
  const userIds = Array.from({ length: 8 }, () => randomUUID());
  for (const id of userIds) {
    await db.asUser(id, (tx) => tx.insert(users).values(bareUserRow(id)));
  }

  let running = true;
  const inFlight = new Map<number, { started: number; shape: string }>();
  const hung = new Set<number>();
  let nextId = 0;

  async function transaction(): Promise<void> {
    const id = nextId++;
    const userId = pick(userIds);
    const kind = Math.random();
    let shape: string;
    let work: Promise<unknown>;
    if (kind < 0.15) {
      shape = 'asSystem: MFA challenge cleanup';
      work = db.asSystem((tx) => deleteExpiredChallenges(tx, new Date(Date.now() - 86_400_000)));
    } else if (kind < 0.2) {
      // A parameter the driver cannot serialise (an object where the server expects jsonb):
      // a programming error, which must fail this transaction and nothing else.
      shape = 'asUser: client-side failure';
      work = db.asUser(userId, async (tx) => {
        await tx.execute(sql`select ${{ not: 'serialisable' }}::jsonb`);
      });
    } else if (kind < 0.25) {
      shape = 'asUser: failing statement';
      work = db.asUser(userId, async (tx) => {
        await statement(tx, userId);
        await tx.execute(sql`select 1 / ${0}::int`);
      });
    } else if (kind < 0.35) {
      shape = 'asUser: statements in parallel';
      work = db.asUser(userId, (tx) =>
        Promise.all(Array.from({ length: 1 + randomInt(4) }, () => statement(tx, userId))),
      );
    } else {
      const n = 1 + randomInt(5);
      shape = `asUser: ${n} statements`;
      work = db.asUser(userId, async (tx) => {
        for (let i = 0; i < n; i++) await statement(tx, userId);
      });
    }
    inFlight.set(id, { started: performance.now(), shape });
    try {
      await work;
      count('committed');
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const code = (error as { code?: string }).code ?? cause?.code ?? (error as Error).name;
      count(`failed ${code} ${(cause?.message ?? (error as Error).message).slice(0, 60)}`);
    } finally {
      inFlight.delete(id);
      if (hung.delete(id)) count('returned after being counted as hung');
    }
  }

  async function worker(): Promise<void> {
    while (running) {
      const pending = transaction();
      // A hung caller must not stop this worker: it is counted and left behind.
      const outcome = await Promise.race([pending.then(() => 'done'), sleep(HUNG_MS)]);
      if (outcome !== 'done') {
        for (const [id, entry] of inFlight)
          if (performance.now() - entry.started >= HUNG_MS && !hung.has(id)) {
            hung.add(id);
            console.log(`hung caller: ${entry.shape}`);
          }
      }
    }
  }

  const stuckBackends = new Map<number, string>();
  async function monitor(): Promise<void> {
    while (running) {
      const rows = await admin<{ pid: number; age: number; query: string }[]>`
        select pid, extract(epoch from now() - state_change)::float8 as age, query
        from pg_stat_activity
        where datname = ${database} and application_name = ${APP}
          and state = 'idle in transaction'
          and now() - state_change > make_interval(secs => ${STUCK_IDLE_SECONDS})`;
      for (const row of rows) {
        if (!stuckBackends.has(row.pid))
          console.log(`idle in transaction ${row.age.toFixed(1)} s, pid ${row.pid}: ${row.query}`);
        stuckBackends.set(row.pid, row.query);
      }
      await sleep(250);
    }
  }

  let kills = 0;
  async function chaos(): Promise<void> {
    while (running) {
      await sleep(50 + randomInt(400));
      const killed = await admin`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = ${database} and application_name = ${APP}
        order by random() limit 1`;
      kills += killed.length;
    }
  }

  console.log(
    `${SECONDS} s, ${CONCURRENCY} callers, pool ${POOL}, idle_timeout ${IDLE} s, ` +
      `max_lifetime ${LIFETIME} s, ${KILL ? 'terminating backends' : 'no kills'}`,
  );
  const loops = [
    ...Array.from({ length: CONCURRENCY }, () => worker()),
    monitor(),
    ...(KILL ? [chaos()] : []),
  ];
  await sleep(SECONDS * 1000);
  running = false;
  await Promise.race([Promise.all(loops), sleep(HUNG_MS + 2000)]);

  // After the load: does the pool still serve, and is anything of ours still open?
  // A connection killed while idle fails its next transaction once; then it reconnects.
  let after = '';
  for (let attempt = 0; attempt < 3 && after !== 'serves'; attempt++) {
    after = await Promise.race([
      db
        .asSystem((tx) => tx.execute(sql`select 1`))
        .then(
          () => 'serves',
          (error: unknown) => `fails: ${String(error)}`,
        ),
      sleep(5000).then(() => 'hangs'),
    ]);
  }
  const leftover = await admin<{ state: string; n: number }[]>`
    select state, count(*)::int as n from pg_stat_activity
    where datname = ${database} and application_name = ${APP} group by state`;
  console.log('outcomes', Object.fromEntries([...outcomes].sort()));
  console.log(`terminated backends: ${kills}`);
  console.log('timeouts counted', db.timeouts?.());
  console.log(
    `callers still waiting at the end: ${inFlight.size} ` +
      `(for a connection: ${db.poolStats().waiting})`,
  );
  console.log(`backends idle in transaction > ${STUCK_IDLE_SECONDS} s: ${stuckBackends.size}`);
  console.log(`uncaught errors: ${uncaught.length}`, uncaught.slice(0, 5));
  console.log(`driver's dropped array-type queries (ignored): ${droppedTypeFetches}`);
  console.log(`pool after the run: ${after}; backends: ${JSON.stringify(leftover)}`);
  const failed = stuckBackends.size > 0 || inFlight.size > 0 || after !== 'serves';
  await Promise.race([db.close(), sleep(6000)]);
  await admin`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = ${database} and application_name = ${APP}`;
  await admin.end();
  process.exitCode = failed ? 1 : 0;
});
// Hung callers keep timers of the driver alive: leave once the report is out.
process.exit();
