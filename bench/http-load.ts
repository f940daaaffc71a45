// HTTP load over loopback with wrk, on PostgreSQL and Redis: each API scenario beside its
// limit, a minimal server doing the same work on the same database, role and policies
// (bench/limits/), measured in the same run, one after the other. Each run: a warm-up, then
// --duration seconds at 32 connections (login: 4), reporting req/s, p50, p99, CPU per
// request of the serving process and of PostgreSQL, and the ratio API/limit with its goal
// (issue 17). Every answer wrk counts is checked (bench/wrk/scenario.lua): a non-2xx answer,
// or a body without the expected items (a list page must hold 20 check-ins), marks the
// scenario FAILED. After each write scenario, the job queue it left behind is reported and
// the in-process worker is given --queue-wait seconds to finish it (never drained by the
// benchmark). Then a login storm beside the list, the Argon2id capacity of this machine, and
// CPU profiles of the API on the list and on the scenario furthest from its limit. The list
// and create limits also run "with the API's duties" (revocation check, request log line:
// bench/limits/duties.ts), reported as information beside the plain limit.
//
// Usage: npm run bench:http [-- --duration 10 --warmup 2 --connections 32 --queue-wait 60
//                               --only list,tools,refresh,login,create,scaling]
// Needs wrk (apt-get install wrk) and Redis on 127.0.0.1:6379 (BENCH_REDIS_URL).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { loggerOptions } from '../src/platform/logger.ts';
import { buildApp } from '../src/app.ts';
import { seedContent } from '../src/modules/index.ts';
import { createPasswordHasher } from '../src/modules/auth/passwords.ts';
import { ADMIN_URL, withBenchDatabase } from './support/database.ts';
import {
  summarizeNativeCallers,
  summarizeProfile,
  summarizeProfileByPackage,
  type CpuProfile,
} from './support/profile.ts';
import type { LimitConfig, LimitKind } from './limits/common.ts';
import { startServe } from './support/serve-process.ts';
import { defects, processCpuMs, wrk, type Target, type WrkResult } from './support/wrk.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    'queue-wait': { type: 'string', default: '60' },
    only: { type: 'string', default: 'list,tools,refresh,login,create,scaling' },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const QUEUE_WAIT_S = Number(values['queue-wait']);
const ONLY = new Set(values.only.split(','));
const LIMIT_SERVER = path.resolve('bench/limits/server.ts');
const POOL_MAX = 10; // the API's pool here, and each limit's
const LIMIT_QUEUE = 'bench.limit-evaluate-achievements';
// Logins of one account from one address: at most 5 attempts in flight (the failure budget
// is taken before the password is checked and given back after), so 4 connections.
const LOGIN_CONNECTIONS = 4;
const REFRESH_PER_SECOND = 5_000; // refresh tokens provisioned per second of load

interface Run extends WrkResult {
  label: string;
  cpuMsPerRequest: number;
  pgCpuMsPerRequest: number;
  /** Commands Redis executed (any client of this Redis). */
  redisPerRequest: number;
  problems: string[];
}

// Limit servers

interface LimitProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startLimit(kind: LimitKind, config: LimitConfig): Promise<LimitProcess> {
  const child: ChildProcess = spawn(process.execPath, [LIMIT_SERVER, kind], {
    env: { ...process.env, LIMIT_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`limit ${kind} exited (${code})`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// The benchmark

await withBenchDatabase('http', async (url) => {
  const database = new URL(url).pathname.slice(1);
  const inspectUrl = new URL(ADMIN_URL);
  inspectUrl.pathname = `/${database}`;
  // Bookkeeping as the superuser (sees every row and backend): never on a measured path.
  const inspect = postgres(inspectUrl.toString(), { max: 2, onnotice: () => {} });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-bench-http-'));
  const db = openPostgres({ url, poolMax: POOL_MAX });
  await seedContent(db);
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisKeyPrefix = `amira-bench-${randomUUID().slice(0, 8)}:`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: redisKeyPrefix,
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

  const expectStatus = (
    response: { statusCode: number; body: string },
    status: number,
    what: string,
  ) => {
    if (response.statusCode !== status)
      throw new Error(`${what}: ${response.statusCode} ${response.body.slice(0, 500)}`);
  };

  // Users: one whose history is listed and who checks in through the API, one who checks in
  // through the create limit (so the limit's check-ins are never evaluated by the API's worker
  // nor change the first user's history).
  const register = async () => {
    const email = `bench.${randomUUID().slice(0, 8)}@example.com`;
    const password = `bench-river-${randomUUID()}`;
    const registered = await app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email, password, language_preference: 'es', time_zone: 'America/Bogota' },
    });
    expectStatus(registered, 201, 'register');
    const { access_token: token, user } = registered.json<{
      access_token: string;
      user: { id: string };
    }>();
    return { email, password, token, userId: user.id };
  };
  const reader = await register();
  const writer = await register();
  const headers = { authorization: `Bearer ${reader.token}` };
  // 100 check-ins over the last 100 minutes (a batch item needs its created_at).
  for (let batch = 0; batch < 2; batch++) {
    const seeded = await app.inject({
      method: 'POST',
      url: '/v1/emotions/batch',
      headers,
      payload: {
        items: Array.from({ length: 50 }, (_, i) => ({
          client_id: randomUUID(),
          emotion_type_id: 1 + ((i + batch) % 19),
          intensity: 1 + (i % 10),
          context: 'standalone',
          created_at: new Date(Date.now() - (batch * 50 + i + 1) * 60_000).toISOString(),
        })),
      },
    });
    expectStatus(seeded, 200, 'seeding check-ins');
    const results = seeded.json<{ results: { status: string }[] }>().results;
    const created = results.filter((r) => r.status === 'created').length;
    if (created !== 50) throw new Error(`seeding: ${created} of 50 created: ${seeded.body}`);
  }
  const tools = await app.inject({ method: 'GET', url: '/v1/tools/search?limit=1', headers });
  expectStatus(tools, 200, 'tool search');
  const toolId = tools.json<{ items: { id: string }[] }>().items[0]!.id;

  // Refresh tokens, each in a session of its own (as a sign-in makes them), written in bulk.
  const tokenFile = async (name: string, count: number) => {
    const tokens: string[] = [];
    const now = new Date();
    const expires = new Date(now.getTime() + 14 * 86_400_000);
    for (let done = 0; done < count; done += 5_000) {
      const rows = Array.from({ length: Math.min(5_000, count - done) }, () => {
        const token = randomBytes(32).toString('base64url');
        tokens.push(token);
        return {
          session: randomUUID(),
          token: randomUUID(),
          hash: createHash('sha256').update(token).digest('hex'),
        };
      });
      await inspect.begin(async (tx) => {
        await tx`insert into sessions (id, user_id, user_agent, created_at, last_used_at, expires_at)
          select x.session, ${reader.userId}, 'bench', ${now}, ${now}, ${expires}
          from json_to_recordset(${JSON.stringify(rows)}::text::json) as x(session uuid)`;
        await tx`insert into refresh_tokens (id, session_id, user_id, token_hash, issued_at, expires_at)
          select x.token, x.session, ${reader.userId}, decode(x.hash, 'hex'), ${now}, ${expires}
          from json_to_recordset(${JSON.stringify(rows)}::text::json) as x(session uuid, token uuid, hash text)`;
      });
    }
    const file = path.join(dataDir, name);
    await writeFile(file, tokens.join('\n') + '\n');
    return { file, tokens };
  };

  // The limits' configuration: the API's database and role, keys, secret, Redis.
  const signingJwks = JSON.parse(
    await readFile(path.join(dataDir, 'keys', 'jwt-signing-keys.json'), 'utf8'),
  ) as LimitConfig['jwks'];
  const limitConfig: LimitConfig = {
    databaseUrl: url,
    poolMax: POOL_MAX,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    jwks: platform.keys.jwks.keys as LimitConfig['jwks'],
    signingJwk: signingJwks[0]!,
    appSecret: (await readFile(path.join(dataDir, 'keys', 'app-secret'), 'utf8')).trim(),
    accessTtlSeconds: config.jwt.accessTtlSeconds,
    refreshTtlDays: config.refresh.ttlDays,
    redisUrl,
    redisKeyPrefix,
    jobQueue: LIMIT_QUEUE,
  };
  await inspect`select pgboss.create_queue(${LIMIT_QUEUE}, '{"policy":"standard"}'::jsonb)`;

  // Jobs, per name and state, from pg-boss's table.
  type JobCounts = Map<string, Record<string, number>>;
  const jobCounts = async (): Promise<JobCounts> => {
    const rows = await inspect<{ name: string; state: string; n: number }[]>`
      select name,
        case when state in ('created', 'retry') and start_after > now() then 'deferred'
             else state::text end as state,
        count(*)::int as n
      from pgboss.job where name not like '\\_\\_pgboss%' group by 1, 2`;
    const out: JobCounts = new Map();
    for (const r of rows) out.set(r.name, { ...out.get(r.name), [r.state]: r.n });
    return out;
  };
  const pending = (c: Record<string, number> | undefined) =>
    (c?.created ?? 0) + (c?.retry ?? 0) + (c?.active ?? 0);
  const total = (c: Record<string, number> | undefined) =>
    Object.values(c ?? {}).reduce((a, b) => a + b, 0);
  const queueReports: string[] = [];
  /** After a write scenario: what it queued, what ran, and how long the worker takes for the rest. */
  const reportQueue = async (label: string, before: JobCounts) => {
    const atEnd = await jobCounts();
    const names = [...atEnd.keys()].filter(
      (n) => total(atEnd.get(n)) !== total(before.get(n)) || pending(atEnd.get(n)) > 0,
    );
    if (names.length === 0) {
      queueReports.push(`${label}: no jobs queued`);
      return;
    }
    const started = performance.now();
    let now = atEnd;
    const waited = () => (performance.now() - started) / 1000;
    while (
      names.some((n) => n !== LIMIT_QUEUE && pending(now.get(n)) > 0) &&
      waited() < QUEUE_WAIT_S
    ) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      now = await jobCounts();
    }
    for (const name of names) {
      const b = before.get(name);
      const e = atEnd.get(name);
      const w = now.get(name);
      const created = total(e) - total(b);
      const doneInRun = (e?.completed ?? 0) - (b?.completed ?? 0);
      const doneInWait = (w?.completed ?? 0) - (e?.completed ?? 0);
      queueReports.push(
        name === LIMIT_QUEUE
          ? `${label}: ${name}: ${created} job rows written (no worker takes this queue)`
          : `${label}: ${name}: ${created} queued during the run, ${doneInRun} completed in it, ` +
              `${pending(e)} left at its end (${e?.active ?? 0} active); after ${waited().toFixed(0)} s ` +
              `of waiting ${doneInWait} more completed (${(doneInWait / Math.max(waited(), 1)).toFixed(1)}/s), ` +
              `${pending(w)} left, ${(w?.failed ?? 0) - (b?.failed ?? 0)} failed`,
      );
    }
  };

  const backendPids = async () =>
    (
      await inspect<{ pid: number }[]>`
        select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`
    ).map((r) => r.pid);
  const pgCpu = async (pids: number[]) =>
    new Map(await Promise.all(pids.map(async (pid) => [pid, await processCpuMs(pid)] as const)));

  const redis = new Redis(redisUrl);
  const redisCommands = async () =>
    [...(await redis.info('commandstats')).matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
      .filter((m) => m[1] !== 'info')
      .reduce((n, m) => n + Number(m[2]), 0);

  const problems: string[] = [];
  /** Warm-up, then the measured run, with the CPU of `server` and of PostgreSQL meanwhile. */
  const measure = async (
    label: string,
    target: Target,
    server: number | number[] | 'self',
    match: [string, number] | undefined,
  ): Promise<Run> => {
    const checks: Record<string, string> = match
      ? { MATCH: match[0], MATCH_COUNT: String(match[1]) }
      : {};
    const warm = await wrk(
      target.url,
      { ...(target.warmEnv ?? target.env), ...checks },
      { seconds: WARMUP, connections: target.connections, pin: target.pin },
    );
    const redisBefore = await redisCommands();
    const pgBefore = await pgCpu(await backendPids());
    const cpuBefore = await processCpuMs(server);
    const result = await wrk(
      target.url,
      { ...target.env, ...checks },
      { seconds: DURATION, connections: target.connections, pin: target.pin },
    );
    const cpuAfter = await processCpuMs(server);
    const pgAfter = await pgCpu(await backendPids());
    let pgMs = 0;
    for (const [pid, ms] of pgAfter) pgMs += ms - (pgBefore.get(pid) ?? 0);
    const redisAfter = await redisCommands();
    const found = [...defects(warm, `${label} (warm-up)`), ...defects(result, label)];
    problems.push(...found);
    const perRequest = (ms: number) => (result.requests > 0 ? ms / result.requests : 0);
    console.error(
      `  ${label}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(1)} ms${found.length ? ' — FAILED' : ''}`,
    );
    return {
      label,
      ...result,
      cpuMsPerRequest: perRequest(cpuAfter - cpuBefore),
      pgCpuMsPerRequest: perRequest(pgMs),
      redisPerRequest: perRequest(redisAfter - redisBefore),
      problems: found,
    };
  };
  /** One answer of each, compared (the limit must answer what the API answers). */
  const sameAnswer = async (
    label: string,
    request: (base: string) => Promise<Response>,
    limit: LimitProcess,
    compare: 'body' | 'shape',
    check?: (body: unknown) => string | undefined,
  ) => {
    const [fromApi, fromLimit] = await Promise.all([request(api), request(limit.url)]);
    const [a, l] = [await fromApi.json(), await fromLimit.json()];
    const shape = (v: unknown): unknown =>
      v && typeof v === 'object'
        ? Array.isArray(v)
          ? v.slice(0, 1).map(shape)
          : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
        : v === null
          ? 'null'
          : typeof v;
    const issues: string[] = [];
    if (!fromApi.ok) issues.push(`API answered ${fromApi.status}`);
    if (!fromLimit.ok) issues.push(`limit answered ${fromLimit.status}`);
    const equal =
      compare === 'body' ? isDeepStrictEqual(a, l) : isDeepStrictEqual(shape(a), shape(l));
    if (!equal)
      issues.push(
        `answers differ: API ${JSON.stringify(a).slice(0, 300)} / limit ${JSON.stringify(l).slice(0, 300)}`,
      );
    for (const body of [a, l]) {
      const wrong = check?.(body);
      if (wrong) issues.push(wrong);
    }
    if (issues.length) problems.push(...issues.map((i) => `${label}: ${i}`));
  };
  const get = (route: string, token: string) => (base: string) =>
    fetch(base + route, { headers: { authorization: `Bearer ${token}` } });
  const post = (route: string, body: unknown, token?: string) => (base: string) =>
    fetch(base + route, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  interface Pair {
    label: string;
    api: Run;
    limit?: Run;
    limitLabel: string;
    goal?: { ratio: number; p99Factor?: number };
    extra?: Run[];
  }
  const pairs: Pair[] = [];
  const targets = new Map<string, Target>();

  // Let the seeding's jobs finish first: each scenario starts on an idle queue.
  await reportQueue('setup (registrations, seeding)', new Map());

  console.error(`bench:http on ${database}: warm-up ${WARMUP} s, ${DURATION} s per run`);
  const baselineRun = await measure(
    'bare Fastify GET / (constant)',
    { url: base, env: {}, connections: CONNECTIONS },
    'self',
    ['"ok"', 1],
  );

  const list = `/v1/emotions?limit=20`;
  const listMatch: [string, number] = ['"emotion_type_id"', 20];
  const listTarget: Target = { url: '', env: { TOKEN: reader.token }, connections: CONNECTIONS };
  if (ONLY.has('list')) {
    const pageOf20 = (body: unknown) =>
      (body as { items?: unknown[] }).items?.length === 20 ? undefined : 'a page without 20 items';
    const limits: Run[] = [];
    const variants = [
      ['list-rls', false],
      ['list-norls', false],
      ['list-rls', true],
    ] as const;
    for (const [kind, duties] of variants) {
      const limit = await startLimit(kind, { ...limitConfig, duties });
      const label = `limit ${kind}${duties ? ' + duties' : ''}`;
      await sameAnswer(label, get(list, reader.token), limit, 'body', pageOf20);
      limits.push(
        await measure(label, { ...listTarget, url: limit.url + list }, limit.pid, listMatch),
      );
      await limit.stop();
    }
    targets.set('list', { ...listTarget, url: api + list });
    const apiList = await measure(
      'API GET /v1/emotions?limit=20',
      targets.get('list')!,
      'self',
      listMatch,
    );
    pairs.push({
      label: 'GET /v1/emotions?limit=20',
      api: apiList,
      limit: limits[0]!,
      limitLabel: 'RLS limit',
      goal: { ratio: 0.8, p99Factor: 1.5 },
      extra: [limits[1]!, limits[2]!],
    });
  }

  // All cores: the list against `serve --workers N` (its own processes, as operators run
  // it), wrk on one thread pinned to the last CPU; CPU counted over the primary and workers.
  const scaling: { workers: number; run: Run }[] = [];
  if (ONLY.has('scaling')) {
    const wrkCpu = String(os.cpus().length - 1);
    for (const workers of [1, 2]) {
      const serve = await startServe(workers, {
        DATA_DIR: dataDir,
        DATABASE_URL: url,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: redisKeyPrefix,
        // The token issuer: the in-process API's tokens must verify here.
        PUBLIC_BASE_URL: config.publicBaseUrl,
        LOG_LEVEL: 'info',
        RATE_LIMIT_IP_PER_MINUTE: '1000000000',
        RATE_LIMIT_USER_PER_MINUTE: '1000000000',
        ACCESS_TOKEN_TTL_SECONDS: '3600',
      });
      const run = await measure(
        `serve --workers ${workers}, wrk on CPU ${wrkCpu}`,
        { ...listTarget, url: serve.url + list, pin: wrkCpu },
        await serve.pids(),
        listMatch,
      );
      scaling.push({ workers, run });
      await serve.stop();
    }
  }

  if (ONLY.has('tools')) {
    const toolPath = `/v1/tools/${toolId}`;
    const match: [string, number] = ['"is_favorite"', 1];
    const limit = await startLimit('tools', limitConfig);
    await sameAnswer('tools', get(toolPath, reader.token), limit, 'body');
    const target = {
      url: limit.url + toolPath,
      env: { TOKEN: reader.token },
      connections: CONNECTIONS,
    };
    const limitRun = await measure('limit tools', target, limit.pid, match);
    await limit.stop();
    targets.set('tools', { ...target, url: api + toolPath });
    const apiRun = await measure('API GET /v1/tools/{id}', targets.get('tools')!, 'self', match);
    pairs.push({
      label: 'GET /v1/tools/{id} (cached)',
      api: apiRun,
      limit: limitRun,
      limitLabel: 'tools limit',
      goal: { ratio: 0.8 },
    });
  }

  if (ONLY.has('refresh')) {
    const match: [string, number] = ['"access_token"', 1];
    const runs: Run[] = [];
    const sample = await tokenFile('refresh-sample.txt', 2);
    for (const who of ['limit', 'API'] as const) {
      const warm = await tokenFile(`refresh-warm-${who}.txt`, REFRESH_PER_SECOND * WARMUP);
      const measured = await tokenFile(`refresh-run-${who}.txt`, REFRESH_PER_SECOND * DURATION);
      const target = (base: string): Target => ({
        url: `${base}/v1/auth/refresh`,
        env: { TOKENS_FILE: measured.file },
        warmEnv: { TOKENS_FILE: warm.file },
        connections: CONNECTIONS,
      });
      const before = await jobCounts();
      if (who === 'limit') {
        const limit = await startLimit('refresh', limitConfig);
        const [first, second] = sample.tokens;
        await sameAnswer(
          'refresh',
          (base) =>
            post('/v1/auth/refresh', {
              refresh_token: base === api ? first : second,
            })(base),
          limit,
          'shape',
        );
        runs.push(await measure('limit refresh', target(limit.url), limit.pid, match));
        await limit.stop();
      } else {
        targets.set('refresh', target(api));
        runs.push(await measure('API POST /v1/auth/refresh', target(api), 'self', match));
        await reportQueue('POST /v1/auth/refresh', before);
      }
    }
    pairs.push({
      label: 'POST /v1/auth/refresh',
      api: runs[1]!,
      limit: runs[0]!,
      limitLabel: 'refresh limit',
      goal: { ratio: 0.8 },
    });
  }

  // Login: its limit is Argon2id on this machine (verifications per second, two at a time).
  let loginNote = '';
  if (ONLY.has('login')) {
    const login = JSON.stringify({ email: reader.email, password: reader.password });
    const before = await jobCounts();
    const loginRun = await measure(
      'API POST /v1/auth/login',
      {
        url: `${api}/v1/auth/login`,
        env: { METHOD: 'POST', BODY: login },
        connections: LOGIN_CONNECTIONS,
      },
      'self',
      ['"access_token"', 1],
    );
    await reportQueue('POST /v1/auth/login', before);
    const hasher = await createPasswordHasher(config.argon2);
    const hash = await hasher.hash(reader.password);
    let verified = 0;
    const until = Date.now() + 5000;
    await Promise.all(
      [0, 1].map(async () => {
        while (Date.now() < until) {
          await hasher.verify(reader.password, hash);
          verified++;
        }
      }),
    );
    const argonPerSecond = verified / 5;
    pairs.push({
      label: `POST /v1/auth/login (${LOGIN_CONNECTIONS} conns)`,
      api: loginRun,
      limit: { ...loginRun, label: 'Argon2id', rps: argonPerSecond, p50: NaN, p99: NaN },
      limitLabel: `Argon2id ${config.argon2.memoryKib} KiB t=${config.argon2.iterations}, 2 at a time`,
      goal: { ratio: 0.8 },
    });
    // A login storm beside the list: hashing runs on libuv's pool, not the event loop.
    const stormBefore = await jobCounts();
    const [storm, listDuringStorm] = await Promise.all([
      wrk(
        `${api}/v1/auth/login`,
        { METHOD: 'POST', BODY: login, MATCH: '"access_token"' },
        { seconds: DURATION, connections: LOGIN_CONNECTIONS },
      ),
      wrk(
        api + list,
        { TOKEN: reader.token, MATCH: listMatch[0], MATCH_COUNT: String(listMatch[1]) },
        { seconds: DURATION, connections: CONNECTIONS },
      ),
    ]);
    problems.push(...defects(storm, 'login storm'), ...defects(listDuringStorm, 'list in storm'));
    await reportQueue('login storm', stormBefore);
    loginNote = `Login storm (${storm.rps.toFixed(1)} logins/s, ${LOGIN_CONNECTIONS} conns) beside the list: list ${listDuringStorm.rps.toFixed(0)} req/s, p50 ${listDuringStorm.p50.toFixed(1)} ms, p99 ${listDuringStorm.p99.toFixed(1)} ms`;
  }

  // Check-ins last: the API's evaluation jobs may outlive the wait and run in the background.
  const rowCounts = async (userId: string, queue: string) => {
    const [row] = await inspect<{ checkins: number; activities: number; jobs: number }[]>`
      select (select count(*)::int from checkins where user_id = ${userId}) as checkins,
             (select count(*)::int from user_activities where user_id = ${userId}) as activities,
             (select count(*)::int from pgboss.job where name = ${queue}
                and data->>'user_id' = ${userId}::text) as jobs`;
    return row!;
  };
  const rowNotes: string[] = [];
  if (ONLY.has('create')) {
    const checkin = { emotion_type_id: 5, intensity: 6, context: 'standalone' };
    const match: [string, number] = ['"emotion_type_id"', 1];
    const runs: Run[] = [];
    for (const who of ['limit', 'limit + duties', 'API'] as const) {
      const user = who === 'API' ? reader : writer;
      const queue = who === 'API' ? 'progress.evaluate-achievements' : LIMIT_QUEUE;
      const target = (base: string): Target => ({
        url: `${base}/v1/emotions`,
        env: { TOKEN: user.token, METHOD: 'POST', BODY: JSON.stringify(checkin) },
        connections: CONNECTIONS,
      });
      const rowsBefore = await rowCounts(user.userId, queue);
      const before = await jobCounts();
      let measuredRun: Run;
      if (who !== 'API') {
        const limit = await startLimit('create', { ...limitConfig, duties: who !== 'limit' });
        await sameAnswer(
          `create (${who})`,
          (base) => post('/v1/emotions', checkin, base === api ? reader.token : writer.token)(base),
          limit,
          'shape',
        );
        measuredRun = await measure(
          who === 'limit' ? 'limit create' : 'limit create + duties',
          target(limit.url),
          limit.pid,
          match,
        );
        await limit.stop();
      } else {
        targets.set('create', target(api));
        measuredRun = await measure('API POST /v1/emotions', target(api), 'self', match);
      }
      runs.push(measuredRun);
      await reportQueue(`POST /v1/emotions (${who})`, before);
      // After the wait: the requests wrk left in flight at its end have committed too.
      const rowsAfter = await rowCounts(user.userId, queue);
      rowNotes.push(
        `${who} create: ${rowsAfter.checkins - rowsBefore.checkins} check-ins, ` +
          `${rowsAfter.activities - rowsBefore.activities} activities, ` +
          `${rowsAfter.jobs - rowsBefore.jobs} ${queue} jobs written ` +
          `(2xx answers in the measured run: ${measuredRun.checked - measuredRun.badStatus}; ` +
          `the warm-up${who === 'API' ? '' : ' and one sample request'} wrote too)`,
      );
    }
    pairs.push({
      label: 'POST /v1/emotions',
      api: runs[2]!,
      limit: runs[0]!,
      limitLabel: 'create limit',
      goal: { ratio: 0.6 },
      extra: [runs[1]!],
    });
  }

  // Where the time goes: the list, and the API scenario furthest from its limit.
  const furthest = pairs
    .filter((p) => targets.has(scenarioKey(p.label)))
    .sort((a, b) => a.api.rps / (a.limit?.rps ?? 1) - b.api.rps / (b.limit?.rps ?? 1))[0];
  const profiled = [...new Set(['list', furthest ? scenarioKey(furthest.label) : 'list'])];
  const profileLines: string[] = [];
  for (const key of profiled.filter((k) => targets.has(k))) {
    const target = targets.get(key)!;
    const env =
      key === 'refresh'
        ? { TOKENS_FILE: (await tokenFile('refresh-profile.txt', REFRESH_PER_SECOND * 5)).file }
        : target.env;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await wrk(target.url, env, { seconds: 5, connections: target.connections });
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    session.disconnect();
    const label = pairs.find((p) => scenarioKey(p.label) === key)!.label;
    profileLines.push(
      `CPU profile of the API on "${label}" (5 s), share of busy time:`,
      '  by package or folder (self time):',
      ...summarizeProfileByPackage(profile, 12).map((l) => '    ' + l),
      '  top functions (self time):',
      ...summarizeProfile(profile, 15).map((l) => '    ' + l),
      '  native time by its caller:',
      ...summarizeNativeCallers(profile, 10).map((l) => '    ' + l),
    );
  }

  // The report
  const cpus = os.cpus();
  const load = os.loadavg()[0]!.toFixed(2);
  console.log(
    `\nHTTP load, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, Node ${process.version}, PostgreSQL + Redis, wrk -t2 over loopback, warm-up ${WARMUP} s, ${DURATION} s per run, load average at the end ${load}`,
  );
  const row = (cells: string[], widths: number[]) =>
    console.log(
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | '),
    );
  const widths = [34, 7, 6, 6, 9, 7, 6, 16, 5];
  row(['scenario', 'req/s', 'p50', 'p99', 'limit r/s', 'lim p99', 'ratio', 'goal', 'met?'], widths);
  const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  for (const p of pairs) {
    const ratio = p.limit ? p.api.rps / p.limit.rps : NaN;
    const p99ok =
      !p.goal?.p99Factor || !p.limit ? true : p.api.p99 <= p.goal.p99Factor * p.limit.p99;
    const failed = p.api.problems.length > 0 || (p.limit?.problems.length ?? 0) > 0;
    const met = failed ? 'FAILED' : p.goal ? (ratio >= p.goal.ratio && p99ok ? 'yes' : 'no') : '';
    const goal = p.goal
      ? `≥ ${p.goal.ratio}${p.goal.p99Factor ? `, p99 ≤ ${p.goal.p99Factor}×` : ''}`
      : '';
    row(
      [
        p.label,
        fixed(p.api.rps, 0),
        fixed(p.api.p50),
        fixed(p.api.p99),
        p.limit ? fixed(p.limit.rps, 0) : '',
        p.limit ? fixed(p.limit.p99) : '',
        fixed(ratio, 3),
        goal,
        met,
      ],
      widths,
    );
    for (const extra of p.extra ?? []) {
      row(
        [
          `  same, vs ${extra.label}`,
          '',
          '',
          '',
          fixed(extra.rps, 0),
          fixed(extra.p99),
          fixed(p.api.rps / extra.rps, 3),
          '(information)',
          extra.problems.length ? 'FAILED' : '',
        ],
        widths,
      );
    }
  }
  const apiList = pairs.find((p) => p.label.startsWith('GET /v1/emotions'))?.api;
  row(
    [
      'bare Fastify GET / (constant)',
      fixed(baselineRun.rps, 0),
      fixed(baselineRun.p50),
      fixed(baselineRun.p99),
      '',
      '',
      apiList ? fixed(apiList.rps / baselineRun.rps, 3) : '',
      '(list / constant)',
      baselineRun.problems.length ? 'FAILED' : '',
    ],
    widths,
  );

  console.log(
    '\nPer request in the measured runs: CPU ms of the serving process / CPU ms of PostgreSQL / Redis commands',
  );
  const cpuWidths = [34, 20, 20, 9];
  row(['scenario', 'API', 'limit', 'answers'], cpuWidths);
  const perRequest = (r: Run | undefined) =>
    r && Number.isFinite(r.p99)
      ? [r.cpuMsPerRequest, r.pgCpuMsPerRequest, r.redisPerRequest]
          .map((n) => n.toFixed(2))
          .join(' / ')
      : '';
  for (const p of pairs) {
    row([p.label, perRequest(p.api), perRequest(p.limit), String(p.api.checked)], cpuWidths);
    for (const extra of p.extra ?? [])
      row([`  ${extra.label}`, '', perRequest(extra), String(extra.checked)], cpuWidths);
  }

  if (scaling.length > 0) {
    console.log(
      `\nAll cores: GET /v1/emotions?limit=20 against serve --workers N (PostgreSQL, Redis and the API share the ${os.cpus().length} CPUs; wrk one thread, pinned)`,
    );
    const one = scaling[0]!.run.rps;
    row(['workers', 'req/s', 'p50', 'p99', 'CPU ms/req', '× 1 worker'], [34, 7, 6, 6, 10, 10]);
    for (const { workers, run } of scaling)
      row(
        [
          `${workers}${run.problems.length ? ' FAILED' : ''}`,
          fixed(run.rps, 0),
          fixed(run.p50),
          fixed(run.p99),
          run.cpuMsPerRequest.toFixed(2),
          fixed(run.rps / one, 2),
        ],
        [34, 7, 6, 6, 10, 10],
      );
  }

  console.log('\nJob queue left behind (pg-boss; the benchmark never drains it):');
  for (const line of queueReports) console.log('  ' + line);
  for (const line of rowNotes) console.log('  ' + line);
  if (loginNote) console.log('\n' + loginNote);
  if (profileLines.length) console.log('\n' + profileLines.join('\n'));
  const answers = [baselineRun, ...pairs.flatMap((p) => [p.api, p.limit, ...(p.extra ?? [])])]
    .filter((r): r is Run => r !== undefined && Number.isFinite(r.p99))
    .reduce((n, r) => n + r.checked, 0);
  if (problems.length) {
    console.log(`\nFAILED — answers that were not what the scenario expects:`);
    for (const line of problems) console.log('  ' + line);
    process.exitCode = 1;
  } else {
    console.log(
      `\nEvery answer checked (${answers} in the measured runs, and their warm-ups): all 2xx with the expected body.`,
    );
  }

  await baseline.close();
  await app.close();
  await platform.close();
  await inspect.end();
  redis.disconnect();
  await rm(dataDir, { recursive: true, force: true });
});

function scenarioKey(label: string): string {
  if (label.startsWith('GET /v1/emotions')) return 'list';
  if (label.startsWith('GET /v1/tools')) return 'tools';
  if (label.startsWith('POST /v1/auth/refresh')) return 'refresh';
  if (label.startsWith('POST /v1/emotions')) return 'create';
  return 'login';
}
