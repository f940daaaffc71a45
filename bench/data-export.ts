// The full data export of a heavy user (docs/data-export.md): 10,000 check-ins over nearly
// three years with their activities, 1,000 tool sessions, 1,000 inbox notifications, and
// 40 recordings of 1 MiB of ciphertext uploaded through the API; then the same with twice
// the recordings, and with twice the check-ins (and twice the sessions and notifications).
// The export is requested through the API (step-up, POST /v1/users/me/export) and its job
// run in this process (jobs.drain), on the embedded defaults (PGlite, local storage), then
// on PostgreSQL (a throwaway database).
//
// Measured per export: wall time of the job, time per module (folder), zip size and
// throughput, and the process's memory over the export: process.memoryUsage() sampled
// every 50 ms (RSS, V8 heap used, external memory) against a baseline taken after a full
// GC, and the kernel's own peak RSS (VmHWM, reset just before the job), which a sample
// cannot miss while the event loop is busy. Each database runs in a process of its own.
// PGlite runs inside that process, so its memory is part of the RSS; PostgreSQL's is not.
// Floor, in the same run: the same recordings zipped by archiver straight from disk to
// disk (deflate level 6 as the export does, and stored without compression).
//
// Usage: npm run bench:export [-- --variants 10000x40,10000x80,20000x40 --mib 1
//                                  --databases embedded,postgres]
import { createReadStream, createWriteStream, writeFileSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ZipArchive } from 'archiver';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import unzipper from 'unzipper';
import { loadConfig } from '../src/config.ts';
import { createPlatform, type Platform } from '../src/platform/platform.ts';
import { openPostgres, type PostgresDatabase } from '../src/platform/db/postgres.ts';
import { buildApp } from '../src/app.ts';
import { seedContent } from '../src/modules/index.ts';
import type { ExportContributor } from '../src/platform/data-export.ts';
import { encrypt, metadataFor, multipart } from '../test/helpers/journals.ts';
import { withBenchDatabase } from './support/database.ts';

const { values } = parseArgs({
  options: {
    // Each variant is a fresh user: <check-ins>x<recordings>.
    variants: { type: 'string', default: '10000x40,10000x80,20000x40' },
    mib: { type: 'string', default: '1' },
    databases: { type: 'string', default: 'embedded,postgres' },
  },
});
const VARIANTS = values.variants.split(',').map((v) => {
  const [checkins, journals] = v.split('x').map(Number);
  return { checkins: checkins!, journals: journals! };
});
const RECORDING_BYTES = Number(values.mib) * 1024 * 1024;
const DATABASES = values.databases.split(',') as ('embedded' | 'postgres')[];
const MiB = 1024 * 1024;
const TIME_ZONE = 'America/Bogota';

// A full GC before each baseline, without asking for `node --expose-gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Bench {
  platform: Platform;
  dataDir: string;
  call<T>(
    token: string | undefined,
    method: 'GET' | 'POST',
    url: string,
    expected: number,
    body?: object | Buffer,
    contentType?: string,
  ): Promise<T>;
  close(): Promise<void>;
}

/** The real app (all modules, queues created but not worked: the bench drains them). */
async function startApp(postgres?: { db: PostgresDatabase; url: string }): Promise<Bench> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-export-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // PGlite blocks the loop while seeding: no load shedding for slow loops (see `call`).
    MAX_EVENT_LOOP_DELAY_MS: '600000',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  });
  const platform = await createPlatform(config, {
    log: pino({ level: 'silent' }),
    ...(postgres ? { db: postgres.db, migrate: false } : {}),
  });
  await seedContent(platform.db);
  const { app, modules } = await buildApp(platform);
  await platform.jobs.start({ work: false });
  for (const module of modules.all) await module.start?.();
  await app.ready();
  timeContributors(platform.dataExport.contributors());
  return {
    platform,
    dataDir,
    async call<T>(
      token: string | undefined,
      method: 'GET' | 'POST',
      url: string,
      expected: number,
      body?: object | Buffer,
      contentType?: string,
    ): Promise<T> {
      const send = () =>
        app.inject({
          method,
          url,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(contentType ? { 'content-type': contentType } : {}),
          },
          ...(body ? { payload: body } : {}),
        });
      let response = await send();
      // A seeding statement on PGlite can block the loop for over a second; the load shedder
      // (under-pressure) then finds no delay sample, counts the delay as infinite and sheds
      // everything until its next sample, whatever MAX_EVENT_LOOP_DELAY_MS says.
      for (let i = 0; i < 20 && response.statusCode === 503; i++) {
        await sleep(250);
        response = await send();
      }
      if (response.statusCode !== expected)
        throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
      return response.json<T>();
    },
    async close() {
      await app.close();
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// When each contributor (module folder) ran: each one's `write` is wrapped once, in place.
const folderSpans = new Map<string, { start: number; end: number }>();
const wrapped = new WeakSet<ExportContributor>();
function timeContributors(contributors: ExportContributor[]) {
  for (const contributor of contributors) {
    if (wrapped.has(contributor)) continue;
    wrapped.add(contributor);
    const write = contributor.write;
    contributor.write = async (context) => {
      const start = performance.now();
      try {
        await write(context);
      } finally {
        folderSpans.set(contributor.folder, { start, end: performance.now() });
      }
    };
  }
}

interface HeavyUser {
  id: string;
  password: string;
  token: string;
}

/** Registers through the API, uploads the recordings through it, seeds the rest in SQL. */
async function heavyUser(bench: Bench, checkins: number, journals: number): Promise<HeavyUser> {
  const password = `a long bench password ${randomUUID()}`;
  const registered = await bench.call<{ user: { id: string }; access_token: string }>(
    undefined,
    'POST',
    '/v1/auth/register',
    201,
    {
      email: `export.${randomUUID().slice(0, 8)}@example.com`,
      password,
      language_preference: 'es',
      time_zone: TIME_ZONE,
    },
  );
  const user = { id: registered.user.id, password, token: registered.access_token };
  for (let i = 0; i < journals; i++) {
    const encrypted = encrypt(randomBytes(RECORDING_BYTES));
    const form = multipart([
      {
        name: 'metadata',
        // A title as the SDK sends it: an envelope of about that size, under the device's id.
        value: JSON.stringify(
          metadataFor(encrypted, {
            id: randomUUID(),
            title: Buffer.concat([Buffer.from([1]), randomBytes(35)]).toString('base64'),
          }),
        ),
      },
      { name: 'audio', value: encrypted.ciphertext, filename: 'audio.bin' },
    ]);
    await bench.call(user.token, 'POST', '/v1/journals', 201, form.body, form.contentType);
  }
  const days = Math.ceil(checkins / 10);
  await bench.platform.db.asSystem(async (tx) => {
    // Yearly check-in partitions for the whole history (as the daily job and migrations do).
    await tx.execute(sql`
      select app_ensure_checkin_partition(make_date(y, 1, 1))
      from generate_series(extract(year from now() - make_interval(days => ${days}))::int,
                           extract(year from now())::int) y`);
    // Ten check-ins a day going back from now; a third carry a note: an envelope of 81 bytes,
    // what the SDK makes of a 52-byte note (version byte, then bytes that look random).
    await tx.execute(sql`
      insert into checkins (user_id, emotion_type_id, intensity, context, notes, created_at, local_time, received_at)
      select ${user.id}::uuid, t.ids[1 + (i * 7) % cardinality(t.ids)], 1 + (i * 3) % 10,
             case when i % 2 = 0 then 'standalone' else 'daily_checkin' end,
             case when i % 3 = 0 then translate(encode('\\x01'::bytea || decode(md5(i::text)
               || md5((i + 1)::text) || md5((i + 2)::text) || md5((i + 3)::text)
               || md5((i + 4)::text), 'hex'), 'base64'), E'\\n', '') end,
             ts, ts at time zone ${TIME_ZONE}, ts
      from (select i, now() - make_interval(days => i / 10, hours => i % 10) as ts
            from generate_series(1, ${checkins}::int) i) s,
           (select array_agg(id order by id) as ids from emotion_types) t`);
    // One tool session a day, five favorites, one inbox notification a day.
    await tx.execute(sql`
      insert into tool_usage (user_id, tool_id, started_at, completed_at, duration_seconds, completion_status, created_at)
      select ${user.id}::uuid, t.ids[1 + i % cardinality(t.ids)], ts, ts + interval '5 minutes', 300,
             case when i % 4 = 0 then 'partial' else 'completed' end, ts
      from (select i, now() - make_interval(days => i, hours => 3) as ts
            from generate_series(1, ${days}::int) i) s,
           (select array_agg(id order by code) as ids from tools) t`);
    await tx.execute(sql`
      insert into tool_favorites (user_id, tool_id, created_at)
      select ${user.id}::uuid, id, now() from tools order by code limit 5`);
    await tx.execute(sql`
      insert into notifications (user_id, kind, title, body, data, created_at, read_at)
      select ${user.id}::uuid, 'affirmation', 'Un momento para ti', 'Respira: hoy también cuenta.',
             '{}'::jsonb, ts, case when i > 7 then ts + interval '1 hour' end
      from (select i, now() - make_interval(days => i) as ts from generate_series(1, ${days}::int) i) s`);
    // The activities the progress module would have recorded for them.
    await tx.execute(sql`
      insert into user_activities (user_id, activity_type_id, related_entity_id, occurred_at, local_date, time_zone, metadata)
      select user_id, (select id from activity_types where code = 'checkin'), id, created_at,
             local_time::date, ${TIME_ZONE}, jsonb_build_object('emotion_type_id', emotion_type_id)
      from checkins where user_id = ${user.id}::uuid`);
    await tx.execute(sql`
      insert into user_activities (user_id, activity_type_id, related_entity_id, occurred_at, local_date, time_zone, metadata)
      select u.user_id, (select id from activity_types where code = 'tool'), u.id, u.started_at,
             (u.started_at at time zone ${TIME_ZONE})::date, ${TIME_ZONE},
             jsonb_build_object('tool_id', u.tool_id, 'duration_seconds', u.duration_seconds,
                                'completion_status', u.completion_status)
      from tool_usage u where u.user_id = ${user.id}::uuid`);
  });
  // Journal activities, achievement evaluation and their notifications.
  await bench.platform.jobs.drain();
  return user;
}

interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
}

const memory = (): MemorySample => {
  const m = process.memoryUsage();
  // `external`: memory outside the V8 heap held by JS objects (Node Buffers included).
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
};
const kernelPeakRss = () =>
  Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;

/** Samples memory every `intervalMs` until stopped; returns growth over the baseline. */
function sampleMemory(intervalMs = 50) {
  gc();
  const base = memory();
  const peak = { ...base };
  let samples = 0;
  // The longest interval between two samples: the longest the event loop was blocked.
  let maxGap = 0;
  let maxGapMiddle = 0;
  let last = performance.now();
  // Resets the kernel's peak RSS of this process to its current RSS.
  writeFileSync('/proc/self/clear_refs', '5');
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > maxGap) {
      maxGap = now - last;
      maxGapMiddle = (now + last) / 2;
    }
    last = now;
    samples++;
    const m = memory();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return {
        rss: peak.rss - base.rss,
        kernelRss: kernelPeakRss() - base.rss,
        kernelPeakRss: kernelPeakRss(),
        heapUsed: peak.heapUsed - base.heapUsed,
        external: peak.external - base.external,
        samples,
        maxGapMs: maxGap,
        maxGapAt: maxGapMiddle,
      };
    },
  };
}

interface ExportResult {
  database: string;
  label: string;
  seconds: number;
  zipBytes: number;
  entries: number;
  uncompressedBytes: number;
  /** Seconds per folder. */
  folders: Map<string, number>;
  /** The folder that was running when the event loop was blocked longest. */
  maxGapIn: string;
  memory: ReturnType<ReturnType<typeof sampleMemory>['stop']>;
}

/** Requests the export through the API, then runs its job alone while measuring. */
async function measureExport(
  bench: Bench,
  database: string,
  user: HeavyUser,
  label: string,
  journals: number,
): Promise<ExportResult> {
  await bench.call(user.token, 'POST', '/v1/auth/reauthenticate', 200, {
    password: user.password,
  });
  const { id } = await bench.call<{ id: string }>(user.token, 'POST', '/v1/users/me/export', 202);
  folderSpans.clear();
  const sampler = sampleMemory();
  const t0 = performance.now();
  const ran = await bench.platform.jobs.drain(['auth.data-export']);
  const seconds = (performance.now() - t0) / 1000;
  const used = sampler.stop();
  const spans = [...folderSpans];
  const folders = new Map(spans.map(([folder, span]) => [folder, (span.end - span.start) / 1000]));
  const maxGapIn =
    spans.find(([, span]) => span.start <= used.maxGapAt && used.maxGapAt <= span.end)?.[0] ??
    'job';
  const status = await bench.call<{ status: string; size_bytes: number }>(
    user.token,
    'GET',
    `/v1/users/me/export/${id}`,
    200,
  );
  if (ran !== 1 || status.status !== 'ready') throw new Error(`export ${id}: ${status.status}`);
  await bench.platform.jobs.drain(); // the "ready" email
  // The archive holds every recording in full (central directory only: nothing is inflated).
  const file = path.join(bench.dataDir, 'objects', 'data-exports', user.id, `${id}.zip`);
  const zip = await unzipper.Open.file(file);
  const audio = zip.files.filter((f) => f.path.endsWith('/audio.bin'));
  if (
    audio.length !== journals ||
    audio.some((f) => f.uncompressedSize !== RECORDING_BYTES + 16) ||
    (await stat(file)).size !== status.size_bytes
  )
    throw new Error(`export ${id} does not hold the ${journals} recordings in full`);
  return {
    database,
    label,
    seconds,
    zipBytes: status.size_bytes,
    entries: zip.files.length,
    uncompressedBytes: zip.files.reduce((sum, f) => sum + f.uncompressedSize, 0),
    folders,
    maxGapIn,
    memory: used,
  };
}

/** The floor: the user's stored recordings zipped from disk to disk, one entry at a time. */
async function zipFloor(bench: Bench, userId: string, store: boolean) {
  const objects = path.join(bench.dataDir, 'objects');
  const keys: string[] = [];
  for await (const object of bench.platform.storage.list(`journals/${userId}/`))
    keys.push(object.key);
  const target = path.join(bench.dataDir, `floor-${store ? 'stored' : 'deflate'}.zip`);
  const t0 = performance.now();
  const zip = new ZipArchive({ zlib: { level: 6 } });
  const out = createWriteStream(target);
  const written = new Promise<void>((resolve, reject) => {
    out.once('close', resolve);
    out.once('error', reject);
    zip.once('error', reject);
  });
  zip.pipe(out);
  for (const key of keys) {
    const added = new Promise<void>((resolve) => zip.once('entry', () => resolve()));
    zip.append(createReadStream(path.join(objects, key)), { name: key, store });
    await added;
  }
  await zip.finalize();
  await written;
  const handle = await open(target, 'r');
  await handle.sync();
  await handle.close();
  const seconds = (performance.now() - t0) / 1000;
  const bytes = (await stat(target)).size;
  await rm(target);
  return { seconds, bytes };
}

const results: ExportResult[] = [];
const floors: { database: string; label: string; seconds: number; bytes: number }[] = [];

async function runOn(database: 'embedded' | 'postgres', bench: Bench) {
  // Warm-up (not a measurement), as large as the largest history and the first variant's
  // recordings: code compiled, the database's caches warm, PGlite's heap (which never
  // shrinks) grown to fit, and the garbage Buffers of a streaming export at the level
  // where V8 collects them, so that what follows measures what each export adds.
  const largest = Math.max(...VARIANTS.map((v) => v.checkins));
  const warm = await heavyUser(bench, largest, VARIANTS[0]!.journals);
  await measureExport(bench, database, warm, 'warm-up', VARIANTS[0]!.journals);
  for (const { checkins, journals } of VARIANTS) {
    const t0 = performance.now();
    const user = await heavyUser(bench, checkins, journals);
    const label = `${checkins.toLocaleString()} check-ins, ${journals} recordings`;
    console.log(
      `${database}: ${label} seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
    const result = await measureExport(bench, database, user, label, journals);
    results.push(result);
    console.log(
      `  export ${result.seconds.toFixed(2)} s, zip ${(result.zipBytes / MiB).toFixed(1)} MiB`,
    );
    if (checkins === VARIANTS[0]!.checkins) {
      for (const store of [false, true]) {
        const floor = await zipFloor(bench, user.id, store);
        floors.push({
          database,
          label: `${journals} recordings, archiver ${store ? 'stored' : 'deflate 6'}`,
          ...floor,
        });
      }
    }
  }
}

if (DATABASES.length > 1) {
  // One process per database: the memory figures of one are not the leftovers of the other.
  for (const database of DATABASES) {
    const args = ['--variants', values.variants, '--mib', values.mib, '--databases', database];
    const child = spawn(process.execPath, [import.meta.filename, ...args], { stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the ${database} run exited with ${code}`);
  }
} else if (DATABASES[0] === 'embedded') {
  const bench = await startApp();
  try {
    await runOn('embedded', bench);
  } finally {
    await bench.close();
  }
  report();
} else {
  await withBenchDatabase('export', async (url) => {
    const bench = await startApp({ db: openPostgres({ url, poolMax: 4 }), url });
    try {
      await runOn('postgres', bench);
    } finally {
      await bench.close();
    }
  });
  report();
}

function report() {
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  console.log(
    `\nFull data export, ${values.mib} MiB per recording (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version})`,
  );
  console.log(
    [
      'database'.padEnd(9),
      'user'.padEnd(34),
      'time s'.padStart(7),
      'zip MiB'.padStart(8),
      'MiB/s'.padStart(6),
      'RSS +MiB'.padStart(9),
      'peak +MiB'.padStart(10),
      'peak MiB'.padStart(9),
      'heap +MiB'.padStart(10),
      'ext +MiB'.padStart(9),
      'samples'.padStart(8),
      'max gap ms (in)'.padStart(18),
    ].join(' '),
  );
  for (const r of results)
    console.log(
      [
        r.database.padEnd(9),
        r.label.padEnd(34),
        r.seconds.toFixed(2).padStart(7),
        mib(r.zipBytes).padStart(8),
        (r.zipBytes / MiB / r.seconds).toFixed(1).padStart(6),
        mib(r.memory.rss).padStart(9),
        mib(r.memory.kernelRss).padStart(10),
        mib(r.memory.kernelPeakRss).padStart(9),
        mib(r.memory.heapUsed).padStart(10),
        mib(r.memory.external).padStart(9),
        String(r.memory.samples).padStart(8),
        `${r.memory.maxGapMs.toFixed(0)} ${r.maxGapIn}`.padStart(18),
      ].join(' '),
    );
  console.log(
    '\nRSS +: sampled peak RSS over the post-GC baseline; peak +: the kernel peak (VmHWM) over it;\n' +
      'peak: the kernel peak itself (the whole process); heap, ext: sampled peaks over the baseline;\n' +
      'max gap: the longest interval between two samples (the event loop blocked), and the folder then.',
  );
  console.log('\nTime per folder (s):');
  for (const r of results)
    console.log(
      `${r.database.padEnd(9)} ${r.label.padEnd(34)} ${[...r.folders]
        .map(([folder, seconds]) => `${folder} ${seconds.toFixed(2)}`)
        .join(', ')}  (${r.entries} entries, ${mib(r.uncompressedBytes)} MiB uncompressed)`,
    );
  console.log('\nFloor: the same recordings zipped disk to disk, no database:');
  for (const f of floors)
    console.log(
      `${f.database.padEnd(9)} ${f.label.padEnd(34)} ${f.seconds.toFixed(2).padStart(6)} s ${mib(f.bytes).padStart(7)} MiB ${(f.bytes / MiB / f.seconds).toFixed(1).padStart(6)} MiB/s`,
    );
}
