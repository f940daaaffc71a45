// Private instances of the services the resilience tests stop and start again: a
// redis-server on a free port and a throwaway PostgreSQL cluster (initdb/pg_ctl). The
// machine's shared services are never touched. `installed` decides, in one place, what a
// test does when a program it starts is missing: skip saying which, or fail under CI=true.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { migratePostgresDatabase } from '../../src/platform/db/migrate.ts';
import { APP_ROLE } from '../../src/platform/db/database.ts';
import { appRoleUrl, ensureAppRole } from '../setup/database-templates.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { seedContent } from '../../src/modules/index.ts';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export async function which(binary: string): Promise<string | undefined> {
  try {
    return (await run('sh', ['-c', `command -v ${binary}`])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A program the tests need, installed from Debian's packages when it is missing, but only
 * in CI (`CI=true`) and as root: a developer's machine is never changed behind their back.
 */
export async function whichOrInstall(
  binary: string,
  aptPackage: string,
): Promise<string | undefined> {
  const found = await which(binary);
  if (found || process.env.CI !== 'true' || process.getuid?.() !== 0) return found;
  if (!(await which('apt-get'))) return undefined;
  const options = {
    timeout: 300_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  };
  const install = () => run('apt-get', ['install', '-y', '-q', aptPackage], options);
  try {
    await install();
  } catch {
    // A fresh machine's package lists may be missing or stale.
    await run('apt-get', ['update', '-q'], options).catch(() => undefined);
    await install().catch(() => undefined);
  }
  return which(binary);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Debian and Ubuntu keep PostgreSQL's server programs off PATH, per major version. */
async function postgresProgram(name: string): Promise<string | undefined> {
  const found = await which(name);
  if (found) return found;
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const candidate = path.join('/usr/lib/postgresql', version, 'bin', name);
    if (
      await access(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

type Find = (program: string) => Promise<string | undefined>;

/** The programs each kind of private service needs, and how to install them. */
const PROGRAMS: Record<
  'redis' | 'postgres' | 'nginx' | 'chromium',
  { programs: string[]; install: string; find: Find }
> = {
  redis: {
    programs: ['redis-server', 'redis-cli'],
    install: 'apt-get install redis-server',
    find: which,
  },
  postgres: {
    programs: ['initdb', 'pg_ctl'],
    install: 'apt-get install postgresql',
    find: postgresProgram,
  },
  // Installed by whichOrInstall when missing in CI, as root.
  nginx: {
    programs: ['nginx'],
    install: 'apt-get install nginx-light',
    find: (program) => whichOrInstall(program, 'nginx-light'),
  },
  // Headless, driven by playwright-core: what a browser runs is tested in one.
  chromium: {
    programs: ['chromium'],
    install: 'apt-get install chromium',
    find: (program) => whichOrInstall(program, 'chromium'),
  },
};

/**
 * Whether the programs a test starts are installed. Where one is missing, the test skips
 * with a message naming it on a developer's machine; under CI=true this throws, so the test
 * file fails: CI runs every test, and a missing program there is a broken image, not a skip.
 * Call it where the test would run (e.g. `kind === 'postgres' && (await installed('redis'))`)
 * and pass the answer to `describe.runIf`.
 */
export async function installed(
  service: keyof typeof PROGRAMS,
  options: { ci?: boolean; find?: Find } = {},
): Promise<boolean> {
  const { programs, install, find } = PROGRAMS[service];
  const missing: string[] = [];
  for (const program of programs)
    if (!(await (options.find ?? find)(program))) missing.push(program);
  if (missing.length === 0) return true;
  const reason = `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed (${install})`;
  if (options.ci ?? process.env.CI === 'true')
    throw new Error(`${reason}; under CI=true a test never skips for a missing program`);
  console.warn(`skipped: ${reason}`);
  return false;
}

export interface PrivateRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const binary = await which('redis-server');
  if (!binary) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const instance: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(
        binary,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      for (let i = 0; i < 100; i++) {
        try {
          const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
          if (stdout.trim() === 'PONG') return;
        } catch {
          // not up yet
        }
        await sleep(50);
      }
      throw new Error('private redis-server did not start');
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
  await instance.start();
  return instance;
}

export interface PrivatePostgres {
  /** The application role's URL (row-level security applies, as in production). */
  url: string;
  start(): Promise<void>;
  /** Stops the server at once (`-m immediate`, as a crash would). */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** initdb refuses to run as root: run the cluster as the `postgres` system user then. */
async function asPostgresUser(command: string, args: string[]) {
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', command, ...args]);
  return run(command, args);
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const initdb = await postgresProgram('initdb');
  const pgCtl = await postgresProgram('pg_ctl');
  if (!initdb || !pgCtl)
    throw new Error('initdb/pg_ctl are not installed (apt-get install postgresql)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amira-pg-'));
  await chmod(dir, 0o700);
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout), Number(gid));
  }
  const data = path.join(dir, 'data');
  await asPostgresUser(initdb, [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const instance: PrivatePostgres = {
    url: '',
    async start() {
      await asPostgresUser(pgCtl, [
        '-D',
        data,
        '-o',
        options,
        '-l',
        path.join(dir, 'log'),
        '-w',
        'start',
      ]);
    },
    async stop() {
      await asPostgresUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async destroy() {
      await instance.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await instance.start();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await ensureAppRole(admin);
  await admin.unsafe(`create database amira owner ${APP_ROLE}`);
  await admin.end();
  instance.url = appRoleUrl(adminUrl, 'amira');
  await migratePostgresDatabase(instance.url);
  const db = openPostgres({ url: instance.url, poolMax: 2 });
  await seedContent(db);
  await db.close();
  return instance;
}
