// The step before `npm start` and `npm test`: install only when node_modules does not hold
// what package-lock.json locks (after `npm ci`, nothing is installed a second time).
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript that runs on any Node.js; no types of its own
import { installReason } from '../../scripts/bootstrap.mjs';

const reasonFor = installReason as (dir: string) => string | undefined;

let dir: string;
beforeEach(async () => {
  // A project as `npm ci` leaves it: the lockfile, npm's record of what it installed, and
  // the pinned Node.js binary.
  dir = await mkdtemp(path.join(os.tmpdir(), 'amira-bootstrap-'));
  await cp('package-lock.json', path.join(dir, 'package-lock.json'));
  await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  await cp('node_modules/.package-lock.json', path.join(dir, 'node_modules', '.package-lock.json'));
  await writeFile(path.join(dir, 'node_modules', '.bin', 'node'), '');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function editJson(file: string, edit: (json: any) => void) {
  const json = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  edit(json);
  await writeFile(path.join(dir, file), JSON.stringify(json));
}

describe('bootstrap', () => {
  it('finds this checkout installed as npm ci left it (no second install)', () => {
    expect(reasonFor('.')).toBeUndefined();
    expect(reasonFor(dir)).toBeUndefined();
  });

  it('installs when node_modules or the pinned Node.js is missing', async () => {
    await rm(path.join(dir, 'node_modules', '.bin', 'node'));
    expect(reasonFor(dir)).toBe('no node_modules');
    await rm(path.join(dir, 'node_modules'), { recursive: true });
    expect(reasonFor(dir)).toBe('no node_modules');
  });

  it('installs again when the lockfile changed (a pull, a new or upgraded dependency)', async () => {
    await editJson('package-lock.json', (lock) => {
      lock.packages['node_modules/fastify'].version = '0.0.0-changed';
    });
    expect(reasonFor(dir)).toBe('node_modules/fastify differs from the lockfile');

    await cp('package-lock.json', path.join(dir, 'package-lock.json'));
    await editJson('package-lock.json', (lock) => {
      lock.packages['node_modules/a-new-dependency'] = { version: '1.0.0', integrity: 'sha512-x' };
    });
    expect(reasonFor(dir)).toBe('node_modules/a-new-dependency is missing');

    await cp('package-lock.json', path.join(dir, 'package-lock.json'));
    await editJson('package-lock.json', (lock) => {
      delete lock.packages['node_modules/fastify'];
    });
    expect(reasonFor(dir)).toBe('node_modules/fastify is not in the lockfile');
  });

  it('does not wait for optional packages of other platforms, which are never installed', async () => {
    await editJson('package-lock.json', (lock) => {
      lock.packages['node_modules/@esbuild/sunos-x64-example'] = {
        version: '1.0.0',
        optional: true,
        os: ['sunos'],
      };
    });
    expect(reasonFor(dir)).toBeUndefined();
  });

  it('installs when npm left no record of what it installed', async () => {
    await rm(path.join(dir, 'node_modules', '.package-lock.json'));
    expect(reasonFor(dir)).toBe('no record of the installed packages');
  });
});
