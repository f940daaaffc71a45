// Durability under a crash: the real server as a child process on PostgreSQL takes a burst
// of concurrent check-ins, journal uploads and tool usages and is killed with SIGKILL in
// the middle of it, then started again. Every write that was answered 2xx must be there,
// intact (journal audio byte-identical); no journal row may point at a missing object; after
// the sweep no object or half-written part without a row remains; the jobs the burst
// queued run after the restart, once each. PostgreSQL only (two processes share the data).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';
import { rows } from '../helpers/db.ts';
import { encrypt, metadataFor, multipart } from '../helpers/journals.ts';
import { freePort } from '../helpers/private-services.ts';
import { queryRows } from '../../src/platform/db/database.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';

describe.runIf(databaseKind() === 'postgres')('a server killed mid-burst', () => {
  let server: ChildProcess | undefined;
  let dataDir: string;
  let databaseUrl: string;
  let base: string;
  const output: string[] = [];

  afterAll(async () => {
    server?.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  let port: number | undefined;
  async function start(): Promise<void> {
    // The same port after the restart: the token issuer defaults to http://HOST:PORT.
    port ??= await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['src/main.ts', 'serve'], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        MIGRATE_ON_START: 'false',
        RATE_LIMIT_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_USER_PER_MINUTE: '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    // A deadline, not a count of tries: on a loaded machine a start takes far longer than usual.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const ready = await fetch(`${base}/health/ready`).catch(() => undefined);
      if (ready?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the server did not become ready:\n${output.join('')}`);
  }

  async function call(method: string, url: string, token: string, body?: unknown) {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('keeps every acknowledged write, intact, and leaves nothing dangling', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-crash-'));
    databaseUrl = await clonePostgresDatabase();
    await start();
    const registered = await fetch(`${base}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `crash.${randomUUID().slice(0, 8)}@example.com`,
        password: `calm-river-${randomUUID()}`,
        language_preference: 'en',
        time_zone: 'Europe/Madrid',
      }),
    });
    const { access_token: token, user } = (await registered.json()) as {
      access_token: string;
      user: { id: string };
    };
    const tools = await call('GET', '/v1/tools/search?limit=1', token);
    const toolId = (tools.body.items as { id: string }[])[0]!.id;

    // The burst: everything at once; the server dies once a sixth of it has been acknowledged.
    const acknowledged = {
      checkins: [] as { id: string; intensity: number }[],
      journals: [] as { id: string; ciphertext: Buffer }[],
      usages: [] as string[],
    };
    let answered = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      server?.kill('SIGKILL');
    };
    const work: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      const intensity = 1 + (i % 10);
      work.push(
        call('POST', '/v1/emotions', token, {
          emotion_type_id: 1 + (i % 19),
          intensity,
          context: 'standalone',
        }).then((r) => {
          if (r.status === 201) acknowledged.checkins.push({ id: String(r.body.id), intensity });
        }),
      );
    }
    for (let i = 0; i < 16; i++) {
      const encrypted = encrypt(Buffer.alloc(256 * 1024, i + 1));
      const form = multipart([
        { name: 'metadata', value: JSON.stringify(metadataFor(encrypted)) },
        { name: 'audio', value: encrypted.ciphertext, filename: 'audio.bin' },
      ]);
      work.push(
        fetch(`${base}/v1/journals`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType },
          body: form.body,
        }).then(async (r) => {
          const body = (await r.json()) as { id: string };
          if (r.status === 201)
            acknowledged.journals.push({ id: body.id, ciphertext: encrypted.ciphertext });
        }),
      );
    }
    for (let i = 0; i < 30; i++) {
      work.push(
        call('POST', `/v1/tools/${toolId}/usage`, token, {
          duration_seconds: 60 + i,
          completion_status: 'completed',
        }).then((r) => {
          if (r.status === 201) acknowledged.usages.push(String(r.body.id));
        }),
      );
    }
    const all = work.map((p) =>
      p
        .catch(() => undefined) // cut off by the kill: outcome unknown, not checked
        .finally(() => {
          answered++;
          const acked =
            acknowledged.checkins.length +
            acknowledged.journals.length +
            acknowledged.usages.length;
          if (acked >= work.length / 6 || answered >= work.length - 10) kill();
        }),
    );
    await Promise.all(all);
    expect(killed).toBe(true);
    const total =
      acknowledged.checkins.length + acknowledged.journals.length + acknowledged.usages.length;
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(work.length); // some were really cut off

    await start();
    for (const checkin of acknowledged.checkins) {
      const read = await call('GET', `/v1/emotions/${checkin.id}`, token);
      expect(read.status).toBe(200);
      expect(read.body.intensity).toBe(checkin.intensity);
    }
    for (const journal of acknowledged.journals) {
      const audio = await fetch(`${base}/v1/journals/${journal.id}/audio`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(audio.status).toBe(200);
      expect(Buffer.from(await audio.arrayBuffer()).equals(journal.ciphertext)).toBe(true);
    }
    const usage = await call('GET', '/v1/tools/usage?limit=100', token);
    const usageIds = (usage.body.items as { id: string }[]).map((u) => u.id);
    for (const id of acknowledged.usages) expect(usageIds).toContain(id);

    // The jobs the burst queued (achievement evaluation) run after the restart, once each.
    const probe = openPostgres({ url: databaseUrl, poolMax: 1 });
    let earned: { n: number }[] = [];
    for (let i = 0; i < 120 && (earned[0]?.n ?? 0) === 0; i++) {
      // A job that was running at the kill is retried once its heartbeat is stale (~45 s).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      earned = await probe.asSystem((tx) =>
        queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from user_achievements where user_id = ${user.id}`,
        ),
      );
    }
    const states = await probe.asSystem((tx) =>
      queryRows(
        tx,
        sql`select name, state, count(*)::int as n from pgboss.job_common group by 1, 2`,
      ),
    );
    await probe.close();
    expect(earned[0]!.n, JSON.stringify(states) + output.join('')).toBeGreaterThan(0);
    server?.kill('SIGKILL');
    await new Promise((resolve) => server?.once('exit', resolve));
    server = undefined;

    // Judged two hours later (the sweep leaves recent objects alone: uploads may be under way).
    const t = await createTestApp({
      databaseUrl,
      dataDir,
      start: new Date(Date.now() + 2 * 3600_000),
    });
    try {
      const paths = (
        await rows<{ path: string }>(t, sql`select storage_path as path from journals`)
      ).map((r) => r.path);
      for (const key of paths) expect(await t.platform.storage.head(key), key).toBeDefined();
      const swept = await t.modules.journals.sweep();
      const stored: string[] = [];
      for await (const object of t.platform.storage.list('journals/')) stored.push(object.key);
      expect(stored.sort()).toEqual([...paths].sort());
      const parts = await readdir(path.join(dataDir, 'objects', '.tmp')).catch(() => []);
      expect(parts, `parts removed: ${swept.parts}`).toEqual([]);
      // One notification per achievement earned (the notification is written in the
      // achievement's own transaction), none twice.
      const duplicates = await rows(
        t,
        sql`select kind, data, count(*)::int as n from notifications where user_id = ${user.id}
            group by kind, data having count(*) > 1`,
      );
      const [achievements] = await rows<{ earned: number; notified: number }>(
        t,
        sql`select (select count(*)::int from user_achievements where user_id = ${user.id}) as earned,
                   (select count(*)::int from notifications
                     where user_id = ${user.id} and kind = 'achievement') as notified`,
      );
      expect(achievements!.notified).toBe(achievements!.earned);
      expect(duplicates).toEqual([]);
    } finally {
      await t.close();
    }
  }, 180_000);
});
