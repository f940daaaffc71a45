// Builds the real application for one test file: a fresh database, a temporary data
// directory, a hand-moved clock, logs captured in memory (so tests can prove no secret is
// logged) and, when asked, a loopback SMTP server that receives the mail.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { loggerOptions } from '../../src/platform/logger.ts';
import { buildApp, type RouteInfo } from '../../src/app.ts';
import type { Modules } from '../../src/modules/index.ts';
import { freshDatabase, replicaDatabase, type TestDatabase } from './database.ts';
import { openPostgres } from '../../src/platform/db/postgres.ts';
import { ManualClock } from './clock.ts';
import { startSmtp, type Inbox } from './smtp.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  raw: string;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  /** The client address the request comes from (rate limits, audit). */
  ip?: string;
}

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  modules: Modules;
  routes: RouteInfo[];
  clock: ManualClock;
  db: TestDatabase;
  inbox: Inbox | undefined;
  dataDir: string;
  logs: string[];
  request<T = any>(method: string, url: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  drainJobs(): Promise<number>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  smtp?: boolean;
  start?: Date | string;
  services?: string[];
  /** Adds routes or hooks before the app is ready (e.g. a route that fails on purpose). */
  extend?: (app: FastifyInstance) => void;
  /** Another replica: same database, data directory (keys) and configuration as this app. */
  replicaOf?: TestApp;
  /** A PostgreSQL database of the test's own (a private cluster), already migrated and seeded. */
  databaseUrl?: string;
  /** A data directory of the test's own (shared with a server process it started); kept at close. */
  dataDir?: string;
}

/** Fields whose values are secrets or private words, wherever they appear in a JSON body. */
const SECRET_FIELDS = new Set([
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
  'envelope',
  'push_token',
  'notes',
  'encrypted_data',
  'secret',
  'otpauth_uri',
  'mfa_token',
  'recovery_code',
  'recovery_codes',
]);

function collectSecrets(value: unknown, into: Set<string>): void {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return;
  for (const [key, item] of Object.entries(value)) {
    // Short values ("ok", a one-word note) would match log lines by chance.
    if (SECRET_FIELDS.has(key) && typeof item === 'string' && item.length >= 10) into.add(item);
    else if (SECRET_FIELDS.has(key) && Array.isArray(item))
      for (const each of item) collectSecrets({ [key]: each }, into);
    else collectSecrets(item, into);
  }
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const replicaOf = options.replicaOf;
  const dataDir =
    options.dataDir ?? replicaOf?.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'amira-data-')));
  const db = options.databaseUrl
    ? Object.assign(openPostgres({ url: options.databaseUrl, poolMax: 5 }), {
        url: options.databaseUrl,
      })
    : replicaOf
      ? await replicaDatabase(replicaOf.db)
      : await freshDatabase();
  const inbox = options.smtp ? await startSmtp() : undefined;
  const clock = new ManualClock(options.start);
  const logs: string[] = [];
  const secrets = new Set<string>();
  const log = pino(loggerOptions('info', false), { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: 'http://api.test',
    APP_LINK_BASE_URL: 'https://app.test',
    // Tests send many requests from one address; the global budget is tested on its own.
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
    // The embedded database blocks the loop while a test file loads it; shedding is tested alone.
    MAX_EVENT_LOOP_DELAY_MS: '600000',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...(inbox ? { SMTP_URL: inbox.url } : {}),
    ...options.env,
  });
  const platform = await createPlatform(config, { log, clock, db, migrate: false });
  const { app, modules, routes } = await buildApp(platform, { services: options.services });
  options.extend?.(app);
  await platform.jobs.start({ work: false });
  for (const module of modules.all) await module.start?.();
  await app.ready();

  return {
    app,
    platform,
    modules,
    routes,
    clock,
    db,
    inbox,
    dataDir,
    logs,
    async request(method, url, { token, body, headers = {}, query, ip } = {}) {
      if (token) secrets.add(token);
      collectSecrets(body, secrets);
      const response = await app.inject({
        method: method as 'GET',
        ...(ip ? { remoteAddress: ip } : {}),
        url,
        ...(query
          ? { query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) }
          : {}),
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body !== undefined ? { payload: body as string } : {}),
      });
      const raw = response.body;
      let parsed: unknown = raw;
      if ((response.headers['content-type'] ?? '').toString().includes('json') && raw.length > 0)
        parsed = JSON.parse(raw);
      collectSecrets(parsed, secrets);
      return { status: response.statusCode, headers: response.headers, body: parsed as never, raw };
    },
    drainJobs: () => platform.jobs.drain(),
    async close() {
      await app.close();
      // Suite-wide: no password, token, key envelope or note a test sent or received may
      // appear in any log line this app wrote.
      const leaks = [...secrets].filter((secret) => logs.some((line) => line.includes(secret)));
      if (leaks.length > 0)
        throw new Error(
          `secrets in the logs: ${leaks.map((l) => l.slice(0, 12) + '…').join(', ')}`,
        );
      if (replicaOf && db.kind === 'pglite') {
        await platform.jobs.stop(); // the shared embedded database belongs to the first app
      } else {
        await platform.close();
      }
      await inbox?.close();
      if (!replicaOf && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
