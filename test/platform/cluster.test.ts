// `serve --workers N` as an operator runs it: one port, N processes answering on it, what
// must be shared shared through PostgreSQL and Redis (a session revoked through one worker
// is refused by every worker), jobs in worker 0 only, a dead worker replaced, and SIGTERM
// stopping them all. The embedded defaults refuse more than one worker.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';
import { runCommand, startServer } from '../helpers/server-process.ts';
import { waitFor } from '../helpers/wait.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIMEOUT = 180_000;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-cluster-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

interface LogLine {
  pid: number;
  msg: string;
  worker?: number;
  jobs?: string;
  status?: number;
  route?: string;
}

const logLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** A GET on a connection of its own (fetch would reuse one, which one process holds). */
function freshGet(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers: { authorization: `Bearer ${token}` } });
    req.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('serve --workers', () => {
  it('refuses more than one worker on the embedded database, saying what it needs', async () => {
    const result = await runCommand(['serve', '--workers', '2'], {
      DATA_DIR: path.join(dataDir, 'embedded'),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('More than one worker needs DATABASE_URL');
    const bad = await runCommand(['serve', '--workers', 'many'], {
      DATA_DIR: path.join(dataDir, 'embedded'),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--workers must be a whole number');
  });

  it.runIf(databaseKind() === 'postgres')(
    'shares the port between two processes that share revocations, and replaces a dead one',
    async () => {
      const server = await startServer(
        {
          DATA_DIR: path.join(dataDir, 'serve'),
          DATABASE_URL: await clonePostgresDatabase(),
          REDIS_URL,
          REDIS_KEY_PREFIX: `test-cluster-${randomUUID().slice(0, 8)}:`,
          LOG_LEVEL: 'info',
        },
        { args: ['serve', '--workers', '2'] },
      );
      try {
        const listening = () =>
          logLines(server.output()).filter((l) => l.msg === 'Amira Wellness API listening');
        await waitFor(async () => listening().length === 2, { timeoutMs: 90_000 });
        const [first, second] = [0, 1].map((i) => listening().find((l) => l.worker === i)!);
        expect(first!.jobs).toBe('in-process');
        expect(second!.jobs).toBe('off');
        expect(first!.pid).not.toBe(second!.pid);

        const registered = await fetch(`${server.url}/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: `cluster.${randomUUID().slice(0, 8)}@example.com`,
            password: `calm-river-${randomUUID()}`,
            language_preference: 'en',
            time_zone: 'Europe/Madrid',
          }),
        });
        expect(registered.status).toBe(201);
        const { access_token: token } = (await registered.json()) as { access_token: string };
        const me = () => freshGet(`${server.url}/v1/users/me`, token);

        // Both processes answer on the one port (the primary hands connections round-robin).
        for (let i = 0; i < 10; i++) expect((await me()).status).toBe(200);
        const answeredBy = (status: number) =>
          new Set(
            logLines(server.output())
              .filter(
                (l) => l.msg === 'request' && l.route === '/v1/users/me' && l.status === status,
              )
              .map((l) => l.pid),
          );
        expect(answeredBy(200)).toEqual(new Set([first!.pid, second!.pid]));

        // Signed out through one of them: every process refuses the token from then on.
        const logout = await fetch(`${server.url}/v1/auth/logout`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
        expect(logout.status).toBe(204);
        for (let i = 0; i < 10; i++) {
          const response = await me();
          expect(response.status).toBe(401);
          expect((JSON.parse(response.body) as { type: string }).type).toContain('session-revoked');
        }
        expect(answeredBy(401)).toEqual(new Set([first!.pid, second!.pid]));

        // A worker killed outright is replaced under its index; the port keeps answering.
        process.kill(second!.pid, 'SIGKILL');
        await waitFor(
          async () => listening().some((l) => l.worker === 1 && l.pid !== second!.pid),
          {
            timeoutMs: 90_000,
          },
        );
        const replacement = listening().find((l) => l.worker === 1 && l.pid !== second!.pid)!;
        expect(replacement.jobs).toBe('off');
        expect(server.output()).toContain(`worker 1 (pid ${second!.pid}) exited`);
        expect((await fetch(`${server.url}/v1/emotions/types`)).status).toBe(200);

        expect(await server.stop('SIGTERM')).toBe(0);
        for (const pid of [first!.pid, replacement.pid]) expect(alive(pid)).toBe(false);
      } finally {
        await server.stop('SIGKILL');
      }
    },
    TIMEOUT,
  );
});
