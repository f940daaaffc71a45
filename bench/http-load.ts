// HTTP load over loopback with wrk, on PostgreSQL and Redis, against a bare Fastify route
// as the baseline (same machine, same run). Each scenario: a 3 s warm-up, then 10 s at 32
// connections (login: 8), reporting req/s, p50, p99 and the ratio to the baseline. Then a
// login storm beside the list scenario, the Argon2id capacity of this machine, and a CPU
// profile of the slowest scenario.
//
// Usage: npm run bench:http [-- --duration 10 --connections 32]
// Needs wrk (apt-get install wrk) and Redis on 127.0.0.1:6379 (BENCH_REDIS_URL).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import Fastify from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { loggerOptions } from '../src/platform/logger.ts';
import { buildApp } from '../src/app.ts';
import { seedContent } from '../src/modules/index.ts';
import { createTokenIssuer } from '../src/modules/auth/sessions/tokens.ts';
import { createPasswordHasher } from '../src/modules/auth/passwords.ts';
import { withBenchDatabase } from './support/database.ts';
import { summarizeProfile, type CpuProfile } from './support/profile.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const SCRIPT = path.resolve('bench/wrk/scenario.lua');

interface WrkResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function wrk(
  url: string,
  env: Record<string, string>,
  options: { seconds: number; connections: number },
): Promise<WrkResult> {
  const { stdout } = await run(
    'wrk',
    [
      '-t2',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      SCRIPT,
      url,
    ],
    { env: { ...process.env, THREADS: '2', ...env }, maxBuffer: 1 << 20 },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  return JSON.parse(line) as WrkResult;
}

await withBenchDatabase('http', async (url) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-bench-http-'));
  const db = openPostgres({ url, poolMax: 10 });
  await seedContent(db);
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `amira-bench-${randomUUID().slice(0, 8)}:`,
    LOG_LEVEL: 'info',
    // The budgets would stop a load test: measured here is the work, not the limit.
    RATE_LIMIT_IP_PER_MINUTE: '1000000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000000',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
  });
  // One log line per request, as in production, written asynchronously to /dev/null.
  const log = pino(
    loggerOptions('info', false),
    pino.destination({ dest: '/dev/null', sync: false }),
  );
  const platform = await createPlatform(config, { db, migrate: false, log });
  const { app, modules } = await buildApp(platform, { runsJobs: true });
  await platform.jobs.start({ work: true });
  for (const module of modules.all) await module.start?.();
  const api = await app.listen({ host: '127.0.0.1', port: 0 });
  const baseline = Fastify();
  baseline.get('/', async () => ({ ok: true, service: 'baseline' }));
  const base = await baseline.listen({ host: '127.0.0.1', port: 0 });

  // A user with a history, a token, a tool, and refresh tokens to spend.
  const email = `bench.${randomUUID().slice(0, 8)}@example.com`;
  const password = `bench-river-${randomUUID()}`;
  const registered = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, password, language_preference: 'es', time_zone: 'America/Bogota' },
  });
  const { access_token: token, user } = registered.json<{
    access_token: string;
    user: { id: string };
  }>();
  const headers = { authorization: `Bearer ${token}` };
  for (let batch = 0; batch < 2; batch++) {
    await app.inject({
      method: 'POST',
      url: '/v1/emotions/batch',
      headers,
      payload: {
        items: Array.from({ length: 50 }, (_, i) => ({
          client_id: randomUUID(),
          emotion_type_id: 1 + ((i + batch) % 19),
          intensity: 1 + (i % 10),
          context: 'standalone',
        })),
      },
    });
  }
  const tools = await app.inject({ method: 'GET', url: '/v1/tools/search?limit=1', headers });
  const toolId = tools.json<{ items: { id: string }[] }>().items[0]!.id;
  const issuer = createTokenIssuer(platform.keys, platform.secrets, {
    access: { issuer: config.jwt.issuer, audience: config.jwt.audience, ttlSeconds: 3600 },
    refreshTtlDays: 14,
    reuseGraceSeconds: 5,
  });
  const tokenFile = async (name: string, count: number) => {
    const refreshTokens: string[] = [];
    for (let i = 0; i < count; i += 250) {
      const batch = await db.asUser(user.id, async (tx) => {
        const out: string[] = [];
        for (let j = 0; j < 250; j++) {
          const issued = await issuer.startSession(
            tx,
            { userId: user.id, role: 'user', deviceRef: null, ip: null, userAgent: 'bench' },
            new Date(),
          );
          out.push(issued.refreshToken);
        }
        return out;
      });
      refreshTokens.push(...batch);
    }
    const file = path.join(dataDir, name);
    await writeFile(file, refreshTokens.join('\n') + '\n');
    return file;
  };
  const refreshWarm = await tokenFile('refresh-warm.txt', 6_000);
  const refreshRun = await tokenFile('refresh-run.txt', 6_000 * DURATION);

  const checkin = JSON.stringify({ emotion_type_id: 5, intensity: 6, context: 'standalone' });
  const login = JSON.stringify({ email, password });
  const scenarios: {
    label: string;
    url: string;
    env: Record<string, string>;
    warmEnv?: Record<string, string>;
    connections: number;
  }[] = [
    { label: 'baseline GET / (bare Fastify)', url: base, env: {}, connections: CONNECTIONS },
    {
      label: 'GET /v1/emotions?limit=20',
      url: `${api}/v1/emotions?limit=20`,
      env: { TOKEN: token },
      connections: CONNECTIONS,
    },
    {
      label: 'POST /v1/emotions',
      url: `${api}/v1/emotions`,
      env: { TOKEN: token, METHOD: 'POST', BODY: checkin },
      connections: CONNECTIONS,
    },
    {
      label: 'GET /v1/tools/{id} (cached)',
      url: `${api}/v1/tools/${toolId}`,
      env: { TOKEN: token },
      connections: CONNECTIONS,
    },
    {
      label: 'POST /v1/auth/refresh',
      url: `${api}/v1/auth/refresh`,
      env: { TOKENS_FILE: refreshRun },
      warmEnv: { TOKENS_FILE: refreshWarm },
      connections: CONNECTIONS,
    },
    {
      label: 'POST /v1/auth/login',
      url: `${api}/v1/auth/login`,
      env: { METHOD: 'POST', BODY: login },
      connections: 8,
    },
  ];
  const results: (WrkResult & { label: string })[] = [];
  for (const scenario of scenarios) {
    await wrk(scenario.url, scenario.warmEnv ?? scenario.env, {
      seconds: 3,
      connections: scenario.connections,
    });
    results.push({
      label: scenario.label,
      ...(await wrk(scenario.url, scenario.env, {
        seconds: DURATION,
        connections: scenario.connections,
      })),
    });
    await platform.jobs.drain().catch(() => 0); // the check-ins' evaluation jobs, between scenarios
  }

  // A login storm beside the list scenario: hashing runs on libuv's pool, not the event loop.
  const [storm, listDuringStorm] = await Promise.all([
    wrk(
      `${api}/v1/auth/login`,
      { METHOD: 'POST', BODY: login },
      { seconds: DURATION, connections: 8 },
    ),
    wrk(
      `${api}/v1/emotions?limit=20`,
      { TOKEN: token },
      { seconds: DURATION, connections: CONNECTIONS },
    ),
  ]);

  // What Argon2id allows on this machine: verifications per second, two at a time.
  const hasher = await createPasswordHasher(config.argon2);
  const hash = await hasher.hash(password);
  let verified = 0;
  const until = Date.now() + 5000;
  await Promise.all(
    [0, 1].map(async () => {
      while (Date.now() < until) {
        await hasher.verify(password, hash);
        verified++;
      }
    }),
  );
  const argonPerSecond = verified / 5;

  // Where the time goes in the slowest API scenario (lowest ratio to the baseline, login aside).
  const baselineRps = results[0]!.rps;
  const slowest = results
    .slice(1)
    .filter((r) => !r.label.includes('login'))
    .sort((a, b) => a.rps - b.rps)[0]!;
  const slowScenario = scenarios.find((s) => s.label === slowest.label)!;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const profiledEnv = slowScenario.label.includes('refresh')
    ? { TOKENS_FILE: await tokenFile('refresh-profile.txt', 30_000) }
    : slowScenario.env;
  await wrk(slowScenario.url, profiledEnv, { seconds: 5, connections: CONNECTIONS });
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  session.disconnect();

  const cpus = os.cpus();
  console.log(
    `\nHTTP load, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}, PostgreSQL + Redis, wrk -t2 over loopback, ${DURATION} s per scenario`,
  );
  console.log(
    'scenario'.padEnd(34),
    'conns'.padStart(5),
    'req/s'.padStart(9),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'ratio'.padStart(7),
    'non-2xx'.padStart(8),
  );
  for (const r of results) {
    const conns = scenarios.find((s) => s.label === r.label)!.connections;
    console.log(
      r.label.padEnd(34),
      String(conns).padStart(5),
      r.rps.toFixed(0).padStart(9),
      r.p50.toFixed(1).padStart(8),
      r.p99.toFixed(1).padStart(8),
      (r.rps / baselineRps).toFixed(3).padStart(7),
      String(r.non2xx + r.errors).padStart(8),
    );
  }
  const loginRps = results.find((r) => r.label.includes('login'))!.rps;
  console.log(
    `\nArgon2id (${config.argon2.memoryKib} KiB, t=${config.argon2.iterations}) on this machine: ${argonPerSecond.toFixed(1)} verifications/s two at a time; login reached ${loginRps.toFixed(1)} req/s (${((loginRps / argonPerSecond) * 100).toFixed(0)}% of it)`,
  );
  console.log(
    `Login storm (${storm.rps.toFixed(1)} logins/s) beside the list scenario: list ${listDuringStorm.rps.toFixed(0)} req/s, p50 ${listDuringStorm.p50.toFixed(1)} ms, p99 ${listDuringStorm.p99.toFixed(1)} ms`,
  );
  console.log(`\nCPU profile of "${slowest.label}" (5 s), top functions by self time:`);
  for (const line of summarizeProfile(profile, 15)) console.log('  ' + line);

  await baseline.close();
  await app.close();
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });
});
