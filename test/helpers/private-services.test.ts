// A test that needs a program skips where it is missing on a developer's machine, and fails
// under CI=true: CI runs every test, and a missing program there is a broken image.
import { describe, expect, it } from 'vitest';
import { databaseKind } from './database.ts';
import { installed } from './private-services.ts';

const once = it.runIf(databaseKind() === 'pglite');
const nowhere = async () => undefined;
const everywhere = async (program: string) => `/usr/bin/${program}`;

describe('installed', () => {
  once('fails under CI when a program is missing, naming it and its package', async () => {
    await expect(installed('redis', { ci: true, find: nowhere })).rejects.toThrow(
      'redis-server and redis-cli are not installed (apt-get install redis-server); under CI=true a test never skips',
    );
  });

  once('skips (false) on a developer machine, and runs (true) where the programs are', async () => {
    await expect(installed('nginx', { ci: false, find: nowhere })).resolves.toBe(false);
    await expect(installed('postgres', { ci: true, find: everywhere })).resolves.toBe(true);
  });
});
