// The operations listener as an operator runs it: the real server (child process) in
// production configuration keeps /metrics, /docs and /openapi.json off the public port and
// serves them, with health, on OPS_PORT; a worker serves health and its queue metrics there.
// Production needs PostgreSQL, so that part runs in the PostgreSQL project only.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningJwk } from '../../src/platform/crypto/signing-keys.ts';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';
import { freePort, startServer } from '../helpers/server-process.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-ops-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe.runIf(databaseKind() === 'postgres')('serve in production', () => {
  it('answers 404 for the operators’ routes on the public port and serves them on OPS_PORT', async () => {
    const opsPort = await freePort();
    const server = await startServer(
      {
        NODE_ENV: 'production',
        DATA_DIR: path.join(dataDir, 'serve'),
        DATABASE_URL: await clonePostgresDatabase(),
        APP_SECRET: randomBytes(32).toString('base64url'),
        JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
        PUBLIC_BASE_URL: 'https://api.amirawellness.test',
        OPS_PORT: String(opsPort),
        LOG_LEVEL: 'warn',
      },
      { args: ['serve', '--no-jobs'] },
    );
    try {
      for (const url of ['/metrics', '/docs', '/docs/', '/openapi.json']) {
        const response = await fetch(server.url + url);
        expect(response.status, url).toBe(404);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
      expect((await fetch(`${server.url}/v1/emotions/types`)).status).toBe(200);

      const ops = `http://127.0.0.1:${opsPort}`;
      const metrics = await fetch(`${ops}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/v1\/emotions\/types",status_code="200"\} 1/,
      );
      const docs = await fetch(`${ops}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('<html');
      const openapi = (await (await fetch(`${ops}/openapi.json`)).json()) as {
        servers: { url: string }[];
        paths: Record<string, unknown>;
      };
      expect(openapi.servers).toEqual([{ url: 'https://api.amirawellness.test' }]);
      expect(Object.keys(openapi.paths)).toContain('/v1/auth/login');
      expect(await (await fetch(`${ops}/health/ready`)).json()).toMatchObject({ status: 'ready' });
      // The operations listener serves nothing of the API.
      expect((await fetch(`${ops}/v1/emotions/types`)).status).toBe(404);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});

// The listener does not depend on the database: one project is enough (a child process
// costs seconds; a worker starts fastest on PostgreSQL).
describe.runIf(databaseKind() === 'postgres')('worker', () => {
  it('serves health and its queue metrics on OPS_PORT when one is set', async () => {
    const opsPort = await freePort();
    const worker = await startServer(
      {
        DATA_DIR: path.join(dataDir, 'worker'),
        DATABASE_URL: await clonePostgresDatabase(),
        OPS_PORT: String(opsPort),
        LOG_LEVEL: 'warn',
      },
      { args: ['worker'], readyPort: opsPort },
    );
    try {
      const ops = `http://127.0.0.1:${opsPort}`;
      const metrics = await (await fetch(`${ops}/metrics`)).text();
      expect(metrics).toContain('job_queue_jobs');
      // No API here, so no API documentation.
      expect((await fetch(`${ops}/docs/`)).status).toBe(404);
      expect((await fetch(`${ops}/openapi.json`)).status).toBe(404);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  }, 120_000);
});
