// Progress at scale, on PostgreSQL: 2 million activities across 20,000 users, and two
// measured users with 3 years of daily activity: one with 3 activities a day (a check-in,
// a journal, a tool session: 3,285 rows), one with 10 a day (10,950 rows). Every
// /v1/progress endpoint is called through the real app; the goal is streak and
// statistics under 30 ms median.
//
// Usage: npm run bench:progress [-- --users 20000 --per-user 100 --runs 30 --keep]
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { seedContent } from '../src/modules/index.ts';
import { withBenchDatabase } from './support/database.ts';
import { benchUserId, startBenchApp, timed } from './support/app.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '20000' },
    'per-user': { type: 'string', default: '100' },
    runs: { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const USERS = Number(values.users);
const PER_USER = Number(values['per-user']);
const RUNS = Number(values.runs);
const DAYS = 3 * 365;

await withBenchDatabase(
  'progress',
  async (url) => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const db = openPostgres({ url, poolMax: 4 });
    await seedContent(db);
    await sql`select set_config('app.system', 'on', false)`;
    const built = (
      await sql<{ built: boolean }[]>`select exists (select 1 from user_activities) as built`
    )[0]?.built;
    const t0 = performance.now();
    if (!built) {
      await sql`truncate users cascade`;
      await sql`
        insert into users (id, email, password_hash, time_zone, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism)
        select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'bench' || n || '@example.com', 'x',
               'America/Bogota', 's', 1, 1, 1
        from generate_series(1, ${USERS}::int) n`;
      const tools = await sql<{ id: string; category: string }[]>`
        select t.id, c.code as category from tools t join tool_categories c on c.id = t.category_id order by t.code`;
      const toolIds = tools.map((t) => t.id);
      const categories = tools.map((t) => t.category);
      // Activity `i` of a user: day i / perDay back from today, kind i % 3.
      const activities = (user: string, perDay: number, count: number) => sql`
        insert into user_activities (user_id, activity_type_id, related_entity_id, occurred_at, local_date, time_zone, metadata)
        select ${user}::uuid, 1 + i % 3, gen_random_uuid(), ts, (ts at time zone 'America/Bogota')::date, 'America/Bogota',
               case i % 3
                 when 0 then jsonb_build_object('emotion_type_id', 1 + (i * 7) % 19)
                 when 1 then jsonb_build_object('duration_seconds', 60 + (i * 37) % 600)
                 else jsonb_build_object('tool_id', (${toolIds}::text[])[1 + (i / 3) % ${toolIds.length}],
                                         'tool_category', (${categories}::text[])[1 + (i / 3) % ${toolIds.length}],
                                         'completion_status', case when i % 4 = 0 then 'partial' else 'completed' end)
               end
        from (select i, now() - make_interval(days => i / ${perDay}, hours => i % ${perDay}) as ts
              from generate_series(0, ${count - 1}::int) i) s`;
      await activities(benchUserId(1), 3, DAYS * 3);
      await activities(benchUserId(2), 10, DAYS * 10);
      console.log(`building ${(USERS * PER_USER).toLocaleString()} background activities...`);
      await sql`
        insert into user_activities (user_id, activity_type_id, related_entity_id, occurred_at, local_date, time_zone, metadata)
        select ('00000000-0000-4000-8000-' || lpad(to_hex(3 + i % ${USERS - 2}), 12, '0'))::uuid, 1 + i % 3, gen_random_uuid(),
               ts, (ts at time zone 'America/Bogota')::date, 'America/Bogota', jsonb_build_object('emotion_type_id', 1 + i % 19)
        from (select i, now() - make_interval(secs => (i::bigint * 7919) % (${DAYS}::bigint * 86400)) as ts
              from generate_series(1, ${USERS * PER_USER}::int) i) s`;
      await sql`vacuum analyze user_activities`;
      await sql`vacuum analyze users`;
    }
    const total =
      (await sql<{ n: number }[]>`select count(*)::int as n from user_activities`)[0]?.n ?? 0;
    console.log(
      `${total.toLocaleString()} activities ready in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    const bench = await startBenchApp(url, db);
    const results: { user: string; label: string; median: number; p90: number }[] = [];
    for (const [name, n] of [
      ['3 years, 3 a day (3,285)', 1],
      ['3 years, 10 a day (10,950)', 2],
    ] as const) {
      const token = await bench.tokenFor(n);
      const get = (path: string) => () => bench.call(token, 'GET', `/v1/progress/${path}`);
      const scenarios: [string, () => Promise<unknown>][] = [
        ['GET /streak', get('streak')],
        ['GET /statistics?period=week', get('statistics?period=week')],
        ['GET /statistics?period=month', get('statistics?period=month')],
        ['GET /statistics?period=year', get('statistics?period=year')],
        ['GET /statistics?period=all', get('statistics?period=all')],
        ['GET /achievements', get('achievements')],
        ['GET /calendar', get('calendar')],
        ['GET /trends', get('trends')],
        ['GET /insights', get('insights')],
        ['GET /dashboard', get('dashboard')],
        ['evaluate achievements (job)', () => bench.modules.progress.evaluate(benchUserId(n))],
      ];
      for (const [label, op] of scenarios)
        results.push({ user: name, ...(await timed(label, RUNS, op)) });
    }
    const streak = await bench.call(await bench.tokenFor(1), 'GET', '/v1/progress/streak');
    console.log(
      `\nProgress, ${total.toLocaleString()} activities, PostgreSQL, ${RUNS} runs each (ms)`,
    );
    console.log('user'.padEnd(28), 'scenario'.padEnd(30), 'median'.padStart(8), 'p90'.padStart(8));
    for (const r of results)
      console.log(
        r.user.padEnd(28),
        r.label.padEnd(30),
        r.median.toFixed(1).padStart(8),
        r.p90.toFixed(1).padStart(8),
      );
    console.log('\nstreak of the first user:', JSON.stringify(streak));
    await bench.close();
    await sql.end();
  },
  values.keep,
);
