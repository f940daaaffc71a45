// The embedded install under load (issue 17: PGlite scenarios, reported, no target): `serve`
// on the defaults — PGlite in the process, local files, in-memory cache, jobs in-process —
// as `npm start` runs it (its Node flags), in a process of its own. Started once on a fresh
// data directory (initdb, migrations), stopped, and started again as on any later day; its
// memory idle IDLE_SETTLE_MS after that start (RSS, and the peak while starting). Then one
// user registered through the API with 40 check-ins; the list, the cached tool read and the
// check-in create with wrk (every answer checked), CPU per request, memory after the load.
//
// Usage: npm run bench:embedded [-- --duration 10 --warmup 2 --connections 32]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServe } from './support/serve-process.ts';
import { defects, processCpuMs, wrk, type WrkResult } from './support/wrk.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
  },
});
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const IDLE_SETTLE_MS = 20_000;

/** `npm start`'s Node flags (package.json), so the figures are the default install's. */
async function startFlags(): Promise<string[]> {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(' ').filter((word) => word.startsWith('--'));
}

/** VmRSS, VmHWM (peak) in MiB. */
async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-bench-embedded-'));
const nodeArgs = await startFlags();
const start = () =>
  startServe(
    1,
    {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      RATE_LIMIT_IP_PER_MINUTE: '1000000000',
      RATE_LIMIT_USER_PER_MINUTE: '1000000000',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      // glibc's allocator settings, when measuring them (docs/performance.md).
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_')),
      ),
    },
    { jobs: true, nodeArgs },
  );
const first = await start();
const firstPeak = (await memory(first.pid)).peak;
await first.stop();
const server = await start();
const problems: string[] = [];
try {
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const idle = await memory(server.pid);

  const call = async (method: string, url: string, token?: string, body?: object) => {
    const response = await fetch(server.url + url, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const credentials = { email: 'bench.embedded@example.com', password: 'a calm river at dawn 42' };
  const registered = await call('POST', '/v1/auth/register', undefined, {
    ...credentials,
    language_preference: 'es',
    time_zone: 'America/Bogota',
  });
  const token = registered.access_token as string;
  for (let i = 0; i < 40; i++)
    await call('POST', '/v1/emotions', token, {
      emotion_type_id: 1 + (i % 19),
      intensity: 1 + (i % 10),
      context: 'standalone',
    });
  const found = await call('GET', '/v1/tools/search?limit=1', token);
  const toolId = (found.items as { id: string }[])[0]!.id;

  const scenarios: {
    label: string;
    url: string;
    env: Record<string, string>;
    connections?: number;
  }[] = [
    {
      label: 'GET /v1/emotions?limit=20',
      url: '/v1/emotions?limit=20',
      env: { TOKEN: token, MATCH: '"emotion_type_id"', MATCH_COUNT: '20' },
    },
    {
      label: 'GET /v1/tools/{id} (cached)',
      url: `/v1/tools/${toolId}`,
      env: { TOKEN: token, MATCH: '"is_favorite"', MATCH_COUNT: '1' },
    },
    {
      label: 'POST /v1/emotions',
      url: '/v1/emotions',
      env: {
        TOKEN: token,
        METHOD: 'POST',
        BODY: JSON.stringify({ emotion_type_id: 5, intensity: 6, context: 'standalone' }),
        MATCH: '"emotion_type_id"',
        MATCH_COUNT: '1',
      },
    },
    {
      // Argon2id. At most 5 attempts of one account from one address may be in flight (the
      // failure budget is taken before the password is checked and given back after); with 4
      // connections nearly every login here was a 429 (on PostgreSQL, bench:http, 4 pass).
      label: 'POST /v1/auth/login (2 conns)',
      url: '/v1/auth/login',
      env: {
        METHOD: 'POST',
        BODY: JSON.stringify(credentials),
        MATCH: '"access_token"',
        MATCH_COUNT: '1',
      },
      connections: 2,
    },
  ];
  const results: { label: string; run: WrkResult; cpuMs: number }[] = [];
  for (const scenario of scenarios) {
    const options = { connections: scenario.connections ?? CONNECTIONS };
    const warm = await wrk(server.url + scenario.url, scenario.env, {
      ...options,
      seconds: WARMUP,
    });
    const before = await processCpuMs(server.pid);
    const run = await wrk(server.url + scenario.url, scenario.env, {
      ...options,
      seconds: DURATION,
    });
    const cpuMs = (await processCpuMs(server.pid)) - before;
    problems.push(...defects(warm, `${scenario.label} (warm-up)`), ...defects(run, scenario.label));
    results.push({ label: scenario.label, run, cpuMs });
    console.error(`  ${scenario.label}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99.toFixed(1)} ms`);
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const after = await memory(server.pid);

  console.log(
    `\nEmbedded install (PGlite, in-memory cache, jobs in-process), ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, Node ${process.version}, wrk -t2 -c${CONNECTIONS}, warm-up ${WARMUP} s, ${DURATION} s per run`,
  );
  console.log('scenario                       |   req/s |    p50 |    p99 | CPU ms/req | answers');
  for (const { label, run, cpuMs } of results)
    console.log(
      [
        label.padEnd(30),
        run.rps.toFixed(0).padStart(7),
        run.p50.toFixed(1).padStart(6),
        run.p99.toFixed(1).padStart(6),
        (cpuMs / Math.max(1, run.requests)).toFixed(2).padStart(10),
        String(run.checked).padStart(7),
      ].join(' | '),
    );
  console.log(
    `Server memory (node ${nodeArgs.join(' ') || '(no flags)'}): first start on a fresh data directory peaked at ${firstPeak.toFixed(0)} MiB; restarted, idle ${IDLE_SETTLE_MS / 1000} s after it ${idle.rss.toFixed(0)} MiB RSS (peak while starting ${idle.peak.toFixed(0)} MiB); 5 s after the load ${after.rss.toFixed(0)} MiB (peak ${after.peak.toFixed(0)} MiB)`,
  );
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
if (problems.length) {
  console.log('\nFAILED — answers that were not what the scenario expects:');
  for (const line of problems) console.log('  ' + line);
  process.exitCode = 1;
} else {
  console.log('Every answer checked: all 2xx with the expected body.');
}
