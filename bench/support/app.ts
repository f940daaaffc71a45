// The real application on a benchmark database, called in-process (app.inject): what is
// timed is routing, validation, auth, the transaction with its row-level security, the SQL
// and serialization, without a network in between.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createPlatform } from '../../src/platform/platform.ts';
import type { PostgresDatabase } from '../../src/platform/db/postgres.ts';
import { buildApp } from '../../src/app.ts';
import { signAccessToken } from '../../src/platform/crypto/access-tokens.ts';
import { percentile } from './database.ts';

export const benchUserId = (n: number) =>
  `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export async function startBenchApp(url: string, db: PostgresDatabase) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-bench-'));
  const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'silent' });
  const platform = await createPlatform(config, {
    db,
    migrate: false,
    log: pino({ level: 'silent' }),
  });
  const { app, modules } = await buildApp(platform);
  for (const module of modules.all) await module.start?.();
  await app.ready();
  return {
    app,
    platform,
    modules,
    /** An access token for bench user `n`, signed as the auth module would. */
    tokenFor: (n: number) =>
      signAccessToken(
        platform.keys,
        { issuer: config.jwt.issuer, audience: config.jwt.audience, ttlSeconds: 3600 },
        { sub: benchUserId(n), sid: randomUUID(), role: 'user', scope: 'app', jti: randomUUID() },
        Math.floor(Date.now() / 1000),
      ),
    async call(token: string, method: 'GET' | 'POST', url: string, body?: object) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body ? { payload: body } : {}),
      });
      if (response.statusCode !== 200)
        throw new Error(`${url}: ${response.statusCode} ${response.body}`);
      return response.json<unknown>();
    },
    async close() {
      await app.close();
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Median and p90 of `runs` timed calls after one warm-up call (milliseconds). */
export async function timed(label: string, runs: number, op: () => Promise<unknown>) {
  await op();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await op();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { label, median: percentile(samples, 50), p90: percentile(samples, 90) };
}
