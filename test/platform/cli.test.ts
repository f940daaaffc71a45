// The CLI as an operator runs it: a real child process on the embedded database or on
// PostgreSQL (per test project).
import { createServer, type AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clonePostgresDatabase, databaseKind } from '../helpers/database.ts';

let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-cli-'));
  env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  if (databaseKind() === 'postgres') env.DATABASE_URL = await clonePostgresDatabase();
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function run(args: string[], extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['src/main.ts', ...args], {
      env: { ...env, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Commands that never open the configured database (the OpenAPI document is built on a
 * throwaway in-memory one) run in one project only: a child process costs seconds.
 */
const onceForBothDatabases = it.runIf(databaseKind() === 'pglite');
// Each command is a Node process that loads the whole application (2–3 s idle); on a
// loaded 2-core machine one start took 10 s and a three-command test hit 60 s. A limit, not
// a speed claim: the commands' speed is not what these tests check.
const CHILD_PROCESS_TIMEOUT = 180_000;

describe('command line', () => {
  it(
    'migrates, then creates the first administrator once and promotes on the second call',
    async () => {
      expect((await run(['migrate'])).stdout).toContain('migrations applied');
      const created = await run(['create-admin', '--email', 'Root@Example.com']);
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(
        /Created administrator Root@Example.com\.\nTemporary password \(shown once\): \S{20,}/,
      );
      const again = await run(['create-admin', '--email', 'root@example.com']);
      expect(again.stdout).toContain('is now an administrator');
      if (databaseKind() === 'pglite')
        expect(await readdir(path.join(dataDir, 'keys'))).toEqual([
          'app-secret',
          'jwt-signing-keys.json',
        ]);
    },
    CHILD_PROCESS_TIMEOUT,
  );

  onceForBothDatabases(
    'prints the OpenAPI document',
    async () => {
      const result = await run(['openapi']);
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout);
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain('/v1/auth/login');
      // --output writes the same document to a file, and nothing else anywhere.
      const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'amira-cli-')), 'openapi.json');
      const written = await run(['openapi', '--output', file]);
      expect(written.code).toBe(0);
      expect(written.stdout).toBe('');
      expect(await readFile(file, 'utf8')).toBe(result.stdout);
    },
    CHILD_PROCESS_TIMEOUT,
  );

  onceForBothDatabases(
    'generates secrets the configuration accepts',
    async () => {
      const result = await run(['generate-secrets']);
      expect(result.code).toBe(0);
      const lines = Object.fromEntries(
        result.stdout
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(lines.APP_SECRET).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const keys = JSON.parse(lines.JWT_SIGNING_KEYS!);
      expect(keys).toEqual([
        expect.objectContaining({
          kty: 'OKP',
          crv: 'Ed25519',
          alg: 'EdDSA',
          d: expect.any(String),
        }),
      ]);
      // A process given them starts with them (it prints the spec, which builds the platform).
      const started = await run(['openapi'], {
        APP_SECRET: lines.APP_SECRET!,
        JWT_SIGNING_KEYS: lines.JWT_SIGNING_KEYS!,
      });
      expect(started.code).toBe(0);
      expect((await run(['generate-secrets', '--alg', 'HS256'])).code).toBe(1);
    },
    CHILD_PROCESS_TIMEOUT,
  );

  onceForBothDatabases(
    'refuses to start with a bad variable and names it',
    async () => {
      const result = await run(['serve'], { PORT: 'eighty' });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('PORT');
    },
    CHILD_PROCESS_TIMEOUT,
  );

  it(
    're-applies the deletion ledger after a restore (nothing to do on a fresh database)',
    async () => {
      const result = await run(['reapply-deletions']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('still held: 0, purged: 0');
    },
    CHILD_PROCESS_TIMEOUT,
  );

  onceForBothDatabases(
    '--help prints the commands and every scheduled job',
    async () => {
      const result = await run(['--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: amira');
      expect(result.stdout).toMatch(/notifications\.tick +every minute/);
      expect(result.stdout).toMatch(/auth\.mfa-challenge-cleanup +hourly, :53/);
    },
    CHILD_PROCESS_TIMEOUT,
  );

  onceForBothDatabases(
    'prints usage for an unknown command',
    async () => {
      const result = await run(['dance']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Usage: amira');
    },
    CHILD_PROCESS_TIMEOUT,
  );

  it(
    'serves, answers readiness, and stops cleanly on SIGTERM',
    async () => {
      const port = String(await freePort());
      const child: ChildProcess = spawn(process.execPath, ['src/main.ts', 'serve'], {
        env: { ...env, PORT: port, LOG_LEVEL: 'info' },
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let closed = false;
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (code) => {
          closed = true;
          resolve(code);
        }),
      );
      // Generous: a cold start (migrations, seed) on a CI machine busy with other test files.
      const deadline = Date.now() + 60_000;
      while (!output.includes('Amira Wellness API listening') && !closed && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(output, 'the server did not come up').toContain('Amira Wellness API listening');
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', storage: 'ok', jobs: 'ok' },
        optional: [],
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
    CHILD_PROCESS_TIMEOUT,
  );
});

/** A port nobody listens on right now (the OS picks it), so parallel test files never collide. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
