// Local-directory storage under DATA_DIR/objects. A write goes to a temporary file, is
// fsynced, then renamed into place (and the directory fsynced): a crash at any point
// leaves either the whole object or no object under its key.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { assertSafeKey, type ObjectStorage, type StoredObject } from './storage.ts';

async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createLocalStorage(root: string): ObjectStorage {
  const fileOf = (key: string) => {
    assertSafeKey(key);
    return path.join(root, key);
  };
  const tmpDir = path.join(root, '.tmp');

  return {
    kind: 'local',
    async put(key, body) {
      const target = fileOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      await mkdir(tmpDir, { recursive: true });
      const temp = path.join(tmpDir, `${randomUUID()}.part`);
      try {
        const out = createWriteStream(temp, {
          flags: 'wx',
          mode: 0o600,
          highWaterMark: 1024 * 1024,
        });
        await pipeline(body, out);
        await fsyncPath(temp);
        await rename(temp, target);
        await fsyncPath(path.dirname(target));
        return { size: (await stat(target)).size };
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async removeAbandonedParts(before) {
      let removed = 0;
      const names = await readdir(tmpDir).catch(() => [] as string[]);
      for (const name of names) {
        const file = path.join(tmpDir, name);
        const info = await stat(file).catch(() => undefined);
        if (!info || info.mtime >= before) continue; // a write may still be under way
        await rm(file, { force: true });
        removed++;
      }
      return removed;
    },
    async get(key, range) {
      const file = fileOf(key);
      try {
        await stat(file);
      } catch {
        return undefined;
      }
      return createReadStream(file, range ? { start: range.start, end: range.end } : {});
    },
    async head(key) {
      try {
        const info = await stat(fileOf(key));
        return { key, size: info.size, lastModified: info.mtime };
      } catch {
        return undefined;
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
    async *list(prefix) {
      assertSafeKey(prefix.replace(/\/$/, '') || 'x');
      const start = path.join(root, prefix);
      const walk = async function* (dir: string): AsyncGenerator<StoredObject> {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) {
            yield* walk(full);
          } else if (entry.isFile()) {
            const info = await stat(full);
            yield {
              key: path.relative(root, full).split(path.sep).join('/'),
              size: info.size,
              lastModified: info.mtime,
            };
          }
        }
      };
      yield* walk(start);
    },
    async ping() {
      await mkdir(root, { recursive: true });
    },
  };
}

export type { Readable };
