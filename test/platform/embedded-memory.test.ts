// The embedded database's memory settings: PostgreSQL inside PGlite keeps 16 MB of shared
// buffers (its whole shared memory is written at start and WASM memory never shrinks, so the
// default 128 MB held ~155 MB of an idle server: docs/performance.md), on a new data
// directory and on one created before.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/platform/db/pglite.ts';
import { queryRows } from '../../src/platform/db/database.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'amira-pglite-memory-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const sharedBuffers = async () => {
  const db = await openPglite({ dataDir });
  try {
    const [row] = await db.unscoped((tx) =>
      queryRows<{ shared_buffers: string }>(tx, sql`show shared_buffers`),
    );
    return row?.shared_buffers;
  } finally {
    await db.close();
  }
};

describe('the embedded database', () => {
  it('runs with 16 MB of shared buffers, when created and when opened again', async () => {
    expect(await sharedBuffers()).toBe('16MB');
    expect(await sharedBuffers()).toBe('16MB');
  });
});
