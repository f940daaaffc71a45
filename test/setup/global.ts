// Once per run: build the database templates the test files clone (a PGlite dump and a
// PostgreSQL template database). Which one a file uses is its project's `databaseKind`
// (vitest.config.ts).
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
