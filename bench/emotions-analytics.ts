// Emotions analytics at scale, on PostgreSQL: 10 million check-ins across 100,000 users.
// One user has 10 years of check-ins (36,500 rows, ten a day), one has 1 year (3,650);
// the rest share the remainder. Each analytics endpoint is called through the real app
// (server-side time, app.inject) for both users; the bare SQL aggregate behind the
// distribution is timed in the same run as the floor; EXPLAIN shows the index plan.
//
// Usage: npm run bench:emotions [-- --rows 10000000 --users 100000]
// Takes several minutes to build the data (it is dropped at the end).
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { seedContent } from '../src/modules/index.ts';
import { withBenchDatabase } from './support/database.ts';
import { benchUserId, startBenchApp, timed } from './support/app.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    users: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '30' },
    // Keep the database (amira_bench_emotions_kept) and reuse its data on the next run.
    keep: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(values.rows);
const USERS = Number(values.users);
const RUNS = Number(values.runs);
const HEAVY = { years: 10, perDay: 10 };
const LIGHT = { years: 1, perDay: 10 };
const END = new Date('2026-11-01T00:00:00Z');

await withBenchDatabase(
  'emotions',
  async (url) => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const db = openPostgres({ url, poolMax: 4 });
    const uuid = benchUserId;
    await seedContent(db);
    await sql`select set_config('app.system', 'on', false)`;
    const built =
      (await sql<{ built: boolean }[]>`select exists (select 1 from checkins) as built`)[0]
        ?.built === true;
    const t0 = performance.now();
    if (!built) {
      await sql`truncate users cascade`;
      console.log(
        `building ${TOTAL.toLocaleString()} check-ins for ${USERS.toLocaleString()} users...`,
      );
      await sql`select set_config('app.system', 'on', false)`;
      await sql`select app_ensure_checkin_partition(make_date(y, 1, 1)) from generate_series(2016, 2026) y`;
      await sql`
    insert into users (id, email, password_hash, time_zone, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism)
    select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'bench' || n || '@example.com', 'x',
           case when n % 3 = 0 then 'America/Bogota' when n % 3 = 1 then 'Europe/Madrid' else 'America/New_York' end, 's', 1, 1, 1
    from generate_series(1, ${USERS}::int) n`;
      const heavyRows = HEAVY.years * 365 * HEAVY.perDay;
      const lightRows = LIGHT.years * 365 * LIGHT.perDay;
      // Ten check-ins a day for the two measured users, spread over waking hours.
      const forUser = async (n: number, rows: number, perDay: number) => sql`
    insert into checkins (user_id, emotion_type_id, intensity, context, related_tool_id, created_at, local_time, received_at)
    select ${uuid(n)}::uuid, 1 + (i * 7) % 19, 1 + (i * 3) % 10,
           (array['standalone','daily_checkin','pre_tool','post_tool','standalone','daily_checkin'])[1 + i % 6],
           -- A pre and a post check-in an hour apart around one of three tools, three times a day.
           case when i % 6 in (2, 3) then (select id from tools order by code offset (i / 6) % 3 limit 1) end,
           ts, (ts at time zone 'America/Bogota'), ts
    from (select i, ${END.toISOString()}::timestamptz - make_interval(days => i / ${perDay}) + make_interval(hours => 7 + (i % ${perDay}) * 1) as ts
          from generate_series(1, ${rows}::int) i) s`;
      await forUser(1, heavyRows, HEAVY.perDay);
      await forUser(2, lightRows, LIGHT.perDay);
      const rest = TOTAL - heavyRows - lightRows;
      const chunk = 1_000_000;
      for (let done = 0; done < rest; done += chunk) {
        const size = Math.min(chunk, rest - done);
        await sql`
      insert into checkins (user_id, emotion_type_id, intensity, context, created_at, local_time, received_at)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(3 + (i % ${USERS - 2})), 12, '0'))::uuid,
             1 + (i * 11) % 19, 1 + (i * 7) % 10, 'standalone', ts, ts at time zone 'Europe/Madrid', ts
      from (select i, ${END.toISOString()}::timestamptz - make_interval(secs => ((i::bigint * 317) % (3650::bigint * 864000)) / 10.0) as ts
            from generate_series(${done + 1}::int, ${done + size}::int) i) s`;
        process.stdout.write(`  ${(done + size).toLocaleString()} rows\r`);
      }
      await sql`vacuum analyze checkins`;
      await sql`vacuum analyze users`;
    }
    const n = (await sql<{ n: number }[]>`select count(*)::int as n from checkins`)[0]?.n ?? 0;
    console.log(
      `built ${n.toLocaleString()} check-ins in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    const bench = await startBenchApp(url, db);
    const { tokenFor } = bench;
    const call = (token: string, method: 'GET' | 'POST', url: string, body?: object) =>
      bench.call(token, method, url, body);

    const results: { user: string; label: string; median: number; p90: number }[] = [];
    for (const [name, n, years] of [
      ['10 years (36,500 rows)', 1, 10],
      ['1 year (3,650 rows)', 2, 1],
    ] as const) {
      const token = await tokenFor(n);
      const from = new Date(END.getTime() - years * 365 * 86_400_000).toISOString().slice(0, 10);
      const to = END.toISOString().slice(0, 10);
      const period = years > 2 ? 'month' : 'week';
      const scenarios: [string, () => Promise<unknown>][] = [
        [
          'bare SQL aggregate (floor)',
          () => sql`select emotion_type_id, count(*), avg(intensity) from checkins
          where user_id = ${uuid(n)} and local_time >= ${from}::timestamp and local_time < ${to}::timestamp group by 1`,
        ],
        [
          'GET /distribution',
          () => call(token, 'GET', `/v1/emotions/distribution?from=${from}&to=${to}`),
        ],
        [
          `POST /trends (${period})`,
          () => call(token, 'POST', '/v1/emotions/trends', { period, from, to }),
        ],
        ['POST /patterns', () => call(token, 'POST', '/v1/emotions/patterns', { from, to })],
        ['GET /insights', () => call(token, 'GET', '/v1/emotions/insights')],
        [
          'POST /recommendations',
          () =>
            call(token, 'POST', '/v1/emotions/recommendations', {
              emotion_type_id: 14,
              intensity: 8,
            }),
        ],
      ];
      for (const [label, op] of scenarios)
        results.push({ user: name, ...(await timed(label, RUNS, op)) });
    }
    const plan = await sql.unsafe(
      `explain (analyze, buffers, costs off) select c.emotion_type_id, count(*) from checkins c
     where c.user_id = '${uuid(1)}' and c.local_time >= '2016-11-01' and c.local_time < '2026-11-01'
       and c.created_at >= '2016-10-31' and c.created_at < '2026-11-02' group by 1`,
    );

    console.log(
      `\nEmotions analytics, ${n.toLocaleString()} check-ins, ${USERS.toLocaleString()} users, PostgreSQL, ${RUNS} runs each (ms)`,
    );
    console.log('user'.padEnd(24), 'scenario'.padEnd(30), 'median'.padStart(8), 'p90'.padStart(8));
    for (const r of results)
      console.log(
        r.user.padEnd(24),
        r.label.padEnd(30),
        r.median.toFixed(1).padStart(8),
        r.p90.toFixed(1).padStart(8),
      );
    console.log('\nEXPLAIN of the distribution aggregate for the 10-year user (first lines):');
    for (const row of plan.slice(0, 14))
      console.log('  ' + (row as Record<string, string>)['QUERY PLAN']);
    await bench.close();
    await sql.end();
  },
  values.keep,
);
