// Once per run: build the database templates the test files clone (a PGlite dump and a
// PostgreSQL template database) and the SDK package (sdk/dist: the SDK's package and
// browser tests use what a consumer installs). Which template a file uses is its
// project's `databaseKind` (vitest.config.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate, buildPostgresTemplate, dropDatabases } from './database-templates.ts';

declare module 'vitest' {
  interface ProvidedContext {
    databaseKind: 'pglite' | 'postgres';
    pgliteTemplate: string;
    postgresAdminUrl: string;
    postgresTemplate: string;
    runId: string;
  }
}

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const prefix = `amira_t_${runId}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amira-test-'));
  const pgliteTemplate = path.join(dir, 'template.tar');
  const postgresTemplate = `${prefix}_tpl`;
  await Promise.all([
    buildPgliteTemplate(pgliteTemplate),
    buildPostgresTemplate(ADMIN_URL, postgresTemplate),
    buildSdk(),
  ]);
  project.provide('runId', runId);
  project.provide('pgliteTemplate', pgliteTemplate);
  project.provide('postgresAdminUrl', ADMIN_URL);
  project.provide('postgresTemplate', postgresTemplate);
  return async () => {
    await dropDatabases(ADMIN_URL, prefix);
    await rm(dir, { recursive: true, force: true });
  };
}

/** tsc to sdk/dist (ESM and .d.ts), then the browser bundle: `npm run sdk:build`. */
async function buildSdk(): Promise<void> {
  const run = promisify(execFile);
  await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'sdk/tsconfig.build.json']);
  await run(process.execPath, ['sdk/scripts/bundle.ts']);
}
