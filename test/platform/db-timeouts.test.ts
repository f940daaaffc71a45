// The server-side bounds on our PostgreSQL transactions, configured as in production
// (DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS; small here): a
// statement running too long is cancelled and a transaction left idle too long is ended by
// PostgreSQL; either request answers 503 with Retry-After, the metric counts it, nothing of
// the transaction stays and the pool serves the next requests. PostgreSQL only (PGlite
// enforces neither: docs/operations.md).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/app.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { queryRows } from '../../src/platform/db/database.ts';
import { users } from '../../src/modules/auth/tables.ts';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';

const STATEMENT_TIMEOUT_MS = 1000;
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(databaseKind() === 'postgres')('PostgreSQL timeouts', () => {
  let dataDir: string;
  let platform: Platform;
  let app: FastifyInstance;
  const idleUser = randomUUID();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-timeouts-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: await clonePostgresDatabase(),
      DATABASE_POOL_MAX: '2',
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: String(IDLE_IN_TRANSACTION_TIMEOUT_MS),
      MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'silent',
    });
    // The platform opens the database (and pg-boss's pool) from the configuration itself.
    platform = await createPlatform(config, { log: pino({ level: 'silent' }), migrate: false });
    ({ app } = await buildApp(platform));
    app.get('/test/slow', async () => {
      await platform.db.asSystem((tx) => tx.execute(sql`select pg_sleep(5)`));
      return { ok: true };
    });
    app.get('/test/idle', async () => {
      await platform.db.asSystem(async (tx) => {
        await tx.insert(users).values({
          id: idleUser,
          email: `${idleUser}@example.com`,
          passwordHash: 'x',
          kdfSalt: 's',
          kdfMemoryKib: 1,
          kdfIterations: 1,
          kdfParallelism: 1,
        });
        // Something slow outside the database while the transaction stays open.
        await sleep(IDLE_IN_TRANSACTION_TIMEOUT_MS * 3);
        await tx.execute(sql`select 1`);
      });
      return { ok: true };
    });
    app.get('/test/fast', async () => {
      const [row] = await platform.db.asSystem((tx) =>
        queryRows<{ one: number }>(tx, sql`select 1 as one`),
      );
      return row;
    });
    await platform.jobs.start({ work: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const timeoutsCounted = async () => {
    const text = (await get('/metrics')).body;
    const value = (kind: string) =>
      Number(new RegExp(`^db_timeouts_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { statement: value('statement'), idle_in_transaction: value('idle_in_transaction') };
  };

  it('sets both bounds on the connections it opens', async () => {
    const [settings] = await platform.db.unscoped((tx) =>
      queryRows<{ statement: string; idle: string }>(
        tx,
        sql`select current_setting('statement_timeout') as statement,
                   current_setting('idle_in_transaction_session_timeout') as idle`,
      ),
    );
    expect(settings).toEqual({ statement: '1s', idle: '1s' });
    expect(await timeoutsCounted()).toEqual({ statement: 0, idle_in_transaction: 0 });
  });

  it('cancels a statement that runs too long: 503 with Retry-After, counted', async () => {
    const started = performance.now();
    const response = await get('/test/slow');
    expect(performance.now() - started).toBeLessThan(4000);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({
      type: 'https://amirawellness.com/problems/service-unavailable',
      status: 503,
      detail: expect.stringContaining('database'),
    });
    expect((await timeoutsCounted()).statement).toBe(1);
    expect((await get('/test/fast')).json()).toEqual({ one: 1 });
  });

  it('ends a transaction left idle too long: 503, counted, rolled back, and the pool serves on', async () => {
    const response = await get('/test/idle');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toMatchObject({
      status: 503,
      detail: expect.stringContaining('database'),
    });
    expect(await timeoutsCounted()).toEqual({ statement: 1, idle_in_transaction: 1 });

    const stored = await platform.db.asSystem((tx) =>
      tx.select({ id: users.id }).from(users).where(eq(users.id, idleUser)),
    );
    expect(stored).toEqual([]);
    // More requests than connections: the ended one was replaced.
    const next = await Promise.all(Array.from({ length: 6 }, () => get('/test/fast')));
    expect(next.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await get('/health/ready')).statusCode).toBe(200);
  });
});
