// A worker process killed (SIGKILL) in the middle of a delivery, between storing the
// notification and finishing the push: the retried job completes it, and the user still
// has exactly one notification. PostgreSQL only: two processes share the database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKind } from '../helpers/database.ts';
import { count } from '../helpers/db.ts';
import { registerUser } from '../helpers/users.ts';
import { startFakeFcm, type FakeFcm } from '../helpers/fcm.ts';
import { deliveriesOf, signInOnPhone } from '../helpers/notifications.ts';
import { DeliveryInProgress, LEASE_MS } from '../../src/modules/notifications/delivery.ts';

describe.runIf(databaseKind() === 'postgres')('a worker killed mid-delivery', () => {
  let t: TestApp;
  let fcm: FakeFcm;
  let worker: ChildProcess | undefined;
  let dataDir: string;
  const output: string[] = [];
  beforeAll(async () => {
    fcm = await startFakeFcm();
    t = await createTestApp({ env: fcm.env, start: new Date() });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-worker-'));
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await t.close();
    await fcm.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves one notification, and the retry finishes the push', async () => {
    const now = new Date();
    t.clock.set(now);
    const user = await registerUser(t, { time_zone: 'UTC', language_preference: 'en' });
    const token = await signInOnPhone(t, user, 'pixel-8', `fcm-token-${user.id}`);
    // A reminder due this very minute, and nothing else scheduled for this user.
    const hhmm = now.toISOString().slice(11, 16);
    const prefs = await t.request('PUT', '/v1/notifications/preferences', {
      token,
      body: { reminder_time: hhmm, affirmations_enabled: false, quiet_hours: null },
    });
    expect(prefs.status, prefs.raw).toBe(200);

    fcm.script.push('hold'); // the push never gets an answer: the worker is stuck in it
    const arrived = fcm.nextRequest();
    worker = spawn(process.execPath, ['src/main.ts', 'worker'], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: t.db.url,
        DATA_DIR: dataDir,
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'warn',
        ...fcm.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    // This process runs the minute's schedule; the worker process picks up the job.
    expect(await t.modules.notifications.scheduleDue()).toBe(1);
    await Promise.race([
      arrived,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no push arrived:\n${output.join('')}`)), 60_000),
      ),
    ]);
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker?.once('exit', resolve));

    const key = now.toISOString().slice(0, 10);
    expect(await deliveriesOf(t, user)).toEqual([
      { kind: 'reminder', key, status: 'pending', reason: null },
    ]);
    expect(await count(t, 'notifications', sql`user_id = ${user.id}`)).toBe(1);

    // While the dead worker's lease lasts, a retry does not push a second time.
    const retry = { user_id: user.id, kind: 'reminder' as const, key };
    await expect(t.modules.notifications.deliver(retry)).rejects.toBeInstanceOf(DeliveryInProgress);
    expect(fcm.received).toHaveLength(1);

    // Once it has run out, the retried job takes over and finishes.
    t.clock.set(new Date(Date.now() + LEASE_MS + 1000));
    expect(await t.modules.notifications.deliver(retry)).toBe('sent');
    expect(await deliveriesOf(t, user)).toEqual([
      { kind: 'reminder', key, status: 'sent', reason: null },
    ]);
    expect(await count(t, 'notifications', sql`user_id = ${user.id}`)).toBe(1);
    expect(fcm.received).toHaveLength(2);
    expect(fcm.received.map((r) => r.message.android.collapse_key)).toEqual([
      `reminder:${key}`,
      `reminder:${key}`,
    ]);
    // A later retry finds it done.
    expect(await t.modules.notifications.deliver(retry)).toBe('already-done');
  });
});
