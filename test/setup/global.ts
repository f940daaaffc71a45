// Once per run and project: build the database template the test files clone.
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
  project.provide('runId', runId);
  if (project.name === 'postgres') {
    const prefix = `amira_t_${runId}`;
    const template = `${prefix}_tpl`;
    await buildPostgresTemplate(ADMIN_URL, template);
    project.provide('databaseKind', 'postgres');
    project.provide('postgresAdminUrl', ADMIN_URL);
    project.provide('postgresTemplate', template);
    project.provide('pgliteTemplate', '');
    return () => dropDatabases(ADMIN_URL, prefix);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'amira-test-'));
  const file = path.join(dir, 'template.tar');
  await buildPgliteTemplate(file);
  project.provide('databaseKind', 'pglite');
  project.provide('pgliteTemplate', file);
  project.provide('postgresAdminUrl', ADMIN_URL);
  project.provide('postgresTemplate', '');
  return () => rm(dir, { recursive: true, force: true });
}
