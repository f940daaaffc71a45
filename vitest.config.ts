import { defineConfig } from 'vitest/config';

// The whole suite runs twice: against embedded PGlite and against the PostgreSQL server
// (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres). Each test
// file gets a fresh database cloned from a template migrated once per run.
export default defineConfig({
  test: {
    globalSetup: ['test/setup/global.ts'],
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Much of a test's time is spent waiting on PostgreSQL or Argon2 threads: more workers than cores pays.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'pglite', provide: { databaseKind: 'pglite' } } },
      { extends: true, test: { name: 'postgres', provide: { databaseKind: 'postgres' } } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The spec's floors, per layer, enforced on every run (npm test fails below them).
      thresholds: {
        'src/modules/**/*service.ts': { lines: 90, statements: 90 },
        'src/modules/**/*routes.ts': { lines: 85, statements: 85 },
        'src/modules/**/*repository.ts': { lines: 80, statements: 80 },
      },
    },
  },
});
