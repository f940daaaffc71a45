// The achievement evaluations a burst of check-ins leaves behind (issue 17). Each burst:
// N check-ins from U users through the real app (POST /v1/emotions, app.inject, 32 in
// flight), on PostgreSQL, with the job worker running in the same process as `serve` runs
// it (pg-boss polling, the progress module's batches). Reported per burst: how long the
// burst took, how many evaluations were done during it, how long after its end the last
// queued evaluation was done, and evaluations run per check-in (they coalesce per user, so
// the cost per check-in should fall as the burst grows). Every answer is checked (201 and
// the check-in's own emotion) and every check-in and job counted in the database.
// Goal: 10,000 check-ins from 100 users fully evaluated within 10 s after the burst.
//
// Usage: npm run bench:evaluations [-- --users 100 --bursts 1000,10000 --concurrency 32]
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { buildApp } from '../src/app.ts';
import { seedContent } from '../src/modules/index.ts';
import { signAccessToken } from '../src/platform/crypto/access-tokens.ts';
import { withBenchDatabase } from './support/database.ts';
import { benchUserId } from './support/app.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100' },
    bursts: { type: 'string', default: '1000,10000' },
    concurrency: { type: 'string', default: '32' },
    'wait-limit': { type: 'string', default: '120' },
  },
});
const USERS = Number(values.users);
const BURSTS = values.bursts.split(',').map(Number);
const CONCURRENCY = Number(values.concurrency);
const WAIT_LIMIT_MS = Number(values['wait-limit']) * 1000;
const JOB = 'progress.evaluate-achievements';
const GOAL_S = 10;

interface BurstResult {
  checkins: number;
  burstSeconds: number;
  doneDuringBurst: number;
  doneAfterSeconds: number | null;
  evaluations: number;
}

await withBenchDatabase('evaluations', async (url) => {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-bench-evaluations-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_IP_PER_MINUTE: '10000000',
    RATE_LIMIT_USER_PER_MINUTE: '10000000',
  });
  const platform = await createPlatform(config, { migrate: false, log: pino({ level: 'silent' }) });
  await seedContent(platform.db);
  await sql.begin(async (tx) => {
    await tx`select set_config('app.system', 'on', true)`;
    await tx`
      insert into users (id, email, password_hash, time_zone, kdf_salt, kdf_memory_kib, kdf_iterations, kdf_parallelism)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'burst' || n || '@example.com', 'x',
             'America/Bogota', 's', 1, 1, 1
      from generate_series(1, ${USERS}::int) n`;
  });
  const { app, modules } = await buildApp(platform, { runsJobs: true });
  await platform.jobs.start({ work: true });
  for (const module of modules.all) await module.start?.();
  await app.ready();

  const now = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      signAccessToken(
        platform.keys,
        { issuer: config.jwt.issuer, audience: config.jwt.audience, ttlSeconds: 3600 },
        {
          sub: benchUserId(i + 1),
          sid: randomUUID(),
          role: 'user',
          scope: 'app',
          jti: randomUUID(),
        },
        now,
      ),
    ),
  );

  // The tokens name sessions the database does not hold: checked against the database (while
  // the revocation cache of a fresh process restores itself) they count as revoked. One
  // request starts the restore; the burst begins once the cache answers.
  for (let attempt = 0; ; attempt++) {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/emotions?limit=1',
      headers: { authorization: `Bearer ${tokens[0]!}` },
    });
    if (response.statusCode === 200) break;
    if (attempt === 50) throw new Error(`warm-up: ${response.statusCode} ${response.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const evaluationsSoFar = async () => {
    const metric = await platform.metrics.getSingleMetric('achievement_evaluations_total')?.get();
    return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
  };
  const jobCounts = async () => {
    const [row] = await sql<{ created: number; completed: number; failed: number }[]>`
      select count(*) filter (where state in ('created', 'retry', 'active'))::int as created,
             count(*) filter (where state = 'completed')::int as completed,
             count(*) filter (where state = 'failed')::int as failed
      from pgboss.job where name = ${JOB}`;
    return row!;
  };

  const results: BurstResult[] = [];
  for (const size of BURSTS) {
    const before = await jobCounts();
    const evaluationsBefore = await evaluationsSoFar();
    let next = 0;
    let wrong = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < size; i = next++) {
          const emotion = 1 + (i % 19);
          const response = await app.inject({
            method: 'POST',
            url: '/v1/emotions',
            headers: { authorization: `Bearer ${tokens[i % USERS]!}` },
            payload: { emotion_type_id: emotion, intensity: 1 + (i % 10), context: 'standalone' },
          });
          const body = response.json<{ emotion_type_id?: number }>();
          if (response.statusCode !== 201 || body.emotion_type_id !== emotion) {
            if (wrong++ === 0)
              console.error(`first wrong answer: ${response.statusCode} ${response.body}`);
          }
        }
      }),
    );
    const burstEnd = performance.now();
    if (wrong > 0)
      throw new Error(`${wrong} of ${size} check-ins were not answered 201 with their emotion`);
    const atEnd = await jobCounts();
    const doneDuringBurst = atEnd.completed - before.completed;
    let doneAfterSeconds: number | null = null;
    for (;;) {
      const counts = await jobCounts();
      if (counts.created === 0) {
        doneAfterSeconds = (performance.now() - burstEnd) / 1000;
        if (counts.failed !== before.failed)
          throw new Error(`${counts.failed - before.failed} evaluations failed`);
        if (counts.completed - before.completed !== size)
          throw new Error(
            `${counts.completed - before.completed} evaluations completed for ${size} check-ins`,
          );
        break;
      }
      if (performance.now() - burstEnd > WAIT_LIMIT_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    results.push({
      checkins: size,
      burstSeconds: (burstEnd - t0) / 1000,
      doneDuringBurst,
      doneAfterSeconds,
      evaluations: (await evaluationsSoFar()) - evaluationsBefore,
    });
  }
  const stored = await sql.begin(async (tx) => {
    await tx`select set_config('app.system', 'on', true)`;
    const [row] = await tx<{ checkins: number }[]>`select count(*)::int as checkins from checkins`;
    return row!.checkins;
  });
  const sent = BURSTS.reduce((sum, size) => sum + size, 0);
  if (stored !== sent) throw new Error(`${stored} check-ins stored for ${sent} answered 201`);

  console.log(
    `\nEvaluation bursts: ${USERS} users, ${CONCURRENCY} requests in flight, in-process worker, ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, Node ${process.version}`,
  );
  console.log(
    'check-ins | burst s | check-ins/s | evaluated during | all evaluated s after | evaluations | per check-in | goal (10,000: ≤ 10 s) ',
  );
  for (const r of results) {
    const met =
      r.checkins >= 10_000
        ? r.doneAfterSeconds !== null && r.doneAfterSeconds <= GOAL_S
          ? 'met'
          : 'not met'
        : '';
    console.log(
      [
        String(r.checkins).padStart(9),
        r.burstSeconds.toFixed(1).padStart(7),
        (r.checkins / r.burstSeconds).toFixed(0).padStart(11),
        String(r.doneDuringBurst).padStart(16),
        (r.doneAfterSeconds === null
          ? `> ${WAIT_LIMIT_MS / 1000}`
          : r.doneAfterSeconds.toFixed(1)
        ).padStart(21),
        String(r.evaluations).padStart(11),
        (r.evaluations / r.checkins).toFixed(3).padStart(12),
        met,
      ].join(' | '),
    );
  }
  console.log(
    `Every answer was 201 with its emotion; ${stored} check-ins stored, one evaluation job each.`,
  );
  await app.close();
  await platform.close();
  await sql.end();
  await rm(dataDir, { recursive: true, force: true });
});
