// Whether the answer time of login and of a password-reset request tells if an email has
// an account. Known and unknown emails alternate in the same run (so drift in the
// machine's load hits both alike), each going first every other round; every answer is
// checked (401 invalid-credentials for a wrong login, 202 for a reset request). Each
// request comes from an address of its own and each known email is asked for a reset
// once, so the budgets never answer instead.
//
// The tests prove the equal work deterministically (test/verification/login-timing.test.ts:
// one Argon2 verification of the same cost; test/auth/password-reset.test.ts: one sealed
// job, nothing else written); this measures what a client would see. In-process
// (app.inject), on the embedded database (PGlite) and on PostgreSQL (a throwaway database).
//
// Usage: npm run bench:auth-timing [-- --runs 60 --databases embedded,postgres]
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { openPostgres } from '../src/platform/db/postgres.ts';
import { buildApp } from '../src/app.ts';
import { percentile, withBenchDatabase } from './support/database.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '60' },
    databases: { type: 'string', default: 'embedded,postgres' },
  },
});
const RUNS = Number(values.runs);
const WARM_UP = 5;
const DATABASES = values.databases.split(',') as ('embedded' | 'postgres')[];

let address = 0;
/** A client address of its own for every request: 10.x.y.z, never repeated in a run. */
const nextIp = () => {
  address++;
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
};

async function measure(kind: 'embedded' | 'postgres', url?: string) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-auth-timing-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    MAX_EVENT_LOOP_DELAY_MS: '600000',
    ...(url ? { DATABASE_URL: url } : {}),
  });
  const platform = await createPlatform(config, {
    log: pino({ level: 'silent' }),
    ...(url ? { db: openPostgres({ url, poolMax: 10 }), migrate: false } : {}),
  });
  const { app, modules } = await buildApp(platform);
  await platform.jobs.start({ work: false }); // the request path only: jobs stay queued
  for (const module of modules.all) await module.start?.();
  await app.ready();

  const post = async (url: string, body: object, expected: number, type?: string) => {
    const started = performance.now();
    const response = await app.inject({
      method: 'POST',
      url,
      remoteAddress: nextIp(),
      payload: body,
    });
    const elapsed = performance.now() - started;
    if (response.statusCode !== expected)
      throw new Error(`${url}: ${response.statusCode} ${response.body}`);
    if (type && response.json<{ type: string }>().type !== type)
      throw new Error(`${url}: ${response.body}`);
    return elapsed;
  };

  const total = RUNS + WARM_UP;
  const accounts: string[] = [];
  for (let i = 0; i < total; i++) {
    const email = `known.${i}.${randomUUID().slice(0, 8)}@example.com`;
    await post(
      '/v1/auth/register',
      {
        email,
        password: `calm-river-${randomUUID()}`,
        language_preference: 'es',
        time_zone: 'UTC',
      },
      201,
    );
    accounts.push(email);
  }
  const unknown = () => `nobody.${randomUUID()}@example.com`;
  const invalid = 'https://amirawellness.com/problems/invalid-credentials';

  const results: { route: string; known: number[]; unknown: number[] }[] = [];
  const login = {
    route: 'POST /v1/auth/login (wrong password)',
    known: [] as number[],
    unknown: [] as number[],
  };
  const reset = {
    route: 'POST /v1/auth/reset-password',
    known: [] as number[],
    unknown: [] as number[],
  };
  const wrong = { password: 'not the right password' };
  for (let i = 0; i < total; i++) {
    // Which goes first alternates, so neither always follows the other's work.
    const pair = async (run: (known: boolean) => Promise<number>) => {
      const first = i % 2 === 0;
      const a = await run(first);
      const b = await run(!first);
      return first ? [a, b] : [b, a];
    };
    const [k, u] = await pair((known) =>
      post('/v1/auth/login', { email: known ? accounts[i] : unknown(), ...wrong }, 401, invalid),
    );
    const [rk, ru] = await pair((known) =>
      post('/v1/auth/reset-password', { email: known ? accounts[i] : unknown() }, 202),
    );
    if (i < WARM_UP) continue;
    login.known.push(k!);
    login.unknown.push(u!);
    reset.known.push(rk!);
    reset.unknown.push(ru!);
  }
  results.push(login, reset);

  await app.close();
  await platform.close();
  await rm(dataDir, { recursive: true, force: true });

  const ms = (n: number) => n.toFixed(1).padStart(6);
  console.log(`\n${kind} (${RUNS} of each, interleaved, after ${WARM_UP} warm-up rounds)`);
  console.log(
    'route                                  known p50    p90  unknown p50    p90  diff p50',
  );
  for (const { route, known, unknown } of results) {
    const a = [...known].sort((x, y) => x - y);
    const b = [...unknown].sort((x, y) => x - y);
    const [pa, pb] = [percentile(a, 50), percentile(b, 50)];
    const diff = ((Math.abs(pa - pb) / Math.max(pa, pb)) * 100).toFixed(0).padStart(4);
    console.log(
      `${route.padEnd(38)} ${ms(pa)} ${ms(percentile(a, 90))}      ${ms(pb)} ${ms(percentile(b, 90))}   ${diff} %`,
    );
  }
}

for (const kind of DATABASES) {
  if (kind === 'embedded') await measure('embedded');
  else await withBenchDatabase('auth_timing', (url) => measure('postgres', url));
}
