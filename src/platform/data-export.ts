// The full personal-data export: each module registers a contributor that writes its own
// files into the archive, because only the module knows its tables (the export code never
// reads another module's tables). Contributors read through `read`, a transaction scoped
// to the user, so row-level security holds even if a query forgot its owner filter.
//
// The archive is a zip streamed straight into object storage: entries are added one at a
// time and each add waits until its bytes are in the zip, so a contributor with many
// recordings holds one open object stream at a time, never all of them.
import { Readable } from 'node:stream';
import { ZipArchive } from 'archiver';
import type { Database, Tx } from './db/database.ts';
import { csvHeader, csvRows, type CsvValue } from './csv.ts';
import type { ObjectStorage } from './storage/storage.ts';

export interface ExportFiles {
  /**
   * Adds a file; resolves once its bytes are in the archive. `stored`: kept as it is, not
   * deflated (ciphertext does not compress; trying costs most of an export's time).
   */
  file: (
    name: string,
    content: string | Buffer | Readable,
    options?: { stored?: boolean },
  ) => Promise<void>;
  /** Adds a value as indented JSON. */
  json: (name: string, value: unknown) => Promise<void>;
}

export interface ExportContext {
  userId: string;
  /** Runs `work` in a transaction of the user's (row-level security applies). */
  read: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  /** Files of this contributor: names are relative to its folder. */
  files: ExportFiles;
}

export interface ExportContributor {
  /** The folder of the archive this contributor writes into (`emotions`, `journals`…). */
  folder: string;
  /** One plain sentence per language for the archive's README: what the folder holds. */
  about: { es: string; en: string };
  write: (context: ExportContext) => Promise<void>;
}

export interface DataExportRegistry {
  register(contributor: ExportContributor): void;
  contributors(): ExportContributor[];
}

export function createDataExportRegistry(): DataExportRegistry {
  const contributors = new Map<string, ExportContributor>();
  return {
    register(contributor) {
      if (!/^[a-z][a-z0-9-]*$/.test(contributor.folder))
        throw new Error(`export folder ${contributor.folder} is not a plain name`);
      if (contributors.has(contributor.folder))
        throw new Error(`export folder ${contributor.folder} registered twice`);
      contributors.set(contributor.folder, contributor);
    },
    contributors: () => [...contributors.values()],
  };
}

export interface ArchiveDeps {
  db: Database;
  storage: ObjectStorage;
}

export interface ArchiveRequest {
  userId: string;
  /** Where the zip goes in storage. */
  key: string;
  contributors: ExportContributor[];
  /** Files at the root of the archive (README.md), written first. */
  rootFiles: Record<string, string>;
  /** Called after each contributor with how many of them are done. */
  onProgress: (done: number, total: number) => Promise<void>;
}

/** Writes every contributor's files into one zip in storage; returns its size in bytes. */
export async function writeExportArchive(deps: ArchiveDeps, request: ArchiveRequest) {
  const zip = new ZipArchive({ zlib: { level: 6 } });
  let failure: Error | undefined;
  let waiting: ((error: Error) => void) | undefined;
  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
    waiting?.(failure);
  };
  zip.on('error', fail);
  // Archiver processes entries in order and emits `entry` as each is done; adds are
  // awaited one by one, so the next `entry` is always the one being waited for.
  const add = (name: string, content: string | Buffer | Readable, keepAsIs = false) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting = reject;
      zip.once('entry', () => {
        waiting = undefined;
        resolve();
      });
      // Archiver does not watch its sources: a stream that breaks (a storage read cut off)
      // would otherwise leave the archive waiting for bytes that never come.
      if (typeof content === 'object' && !Buffer.isBuffer(content)) content.once('error', fail);
      zip.append(content, { name, store: keepAsIs });
    });
  const stored = deps.storage.put(request.key, zip);
  // Storage failing first (a full disk, S3 down) stops the contributors at their next file.
  stored.catch(fail);
  try {
    for (const [name, content] of Object.entries(request.rootFiles)) await add(name, content);
    const total = request.contributors.length;
    let done = 0;
    for (const contributor of request.contributors) {
      const prefix = `${contributor.folder}/`;
      await contributor.write({
        userId: request.userId,
        read: (work) => deps.db.asUser(request.userId, work),
        files: {
          file: (name, content, options) => add(prefix + name, content, options?.stored),
          json: (name, value) => add(prefix + name, `${JSON.stringify(value, null, 2)}\n`),
        },
      });
      await request.onProgress(++done, total);
    }
    // Together: a storage failure during the last bytes must not leave finalize waiting.
    const [, { size }] = await Promise.all([zip.finalize(), stored]);
    return size;
  } catch (error) {
    // An errored body makes storage discard what it had written: no half archive remains.
    zip.destroy(error instanceof Error ? error : new Error(String(error)));
    await stored.catch(() => {});
    await deps.storage.delete(request.key).catch(() => {});
    throw error;
  }
}

/**
 * Every row, a page at a time: each page is read after the previous page's last row (keyset
 * pagination) until a page comes back short. `readPage` opens its own transaction, so a
 * long history never holds one open, nor more than a page in memory.
 */
export async function* keysetPages<Row>(
  readPage: (after: Row | undefined) => Promise<Row[]>,
  size: number,
): AsyncGenerator<Row[]> {
  let after: Row | undefined;
  for (;;) {
    const page = await readPage(after);
    if (page.length > 0) yield page;
    after = page.at(-1);
    if (page.length < size || !after) return;
  }
}

/** The same pages, each row turned into what a file shows. */
export async function* mapPages<Row, Out>(
  pages: AsyncIterable<Row[]>,
  map: (row: Row) => Out,
): AsyncGenerator<Out[]> {
  for await (const page of pages) yield page.map(map);
}

/**
 * A JSON array written as its pages come (each page read in a transaction of its own), so
 * a file of any length costs the memory of one page, and the embedded database lets other
 * requests run between pages.
 */
export function jsonArrayStream(pages: AsyncIterable<unknown[]>): Readable {
  return Readable.from(
    (async function* () {
      let first = true;
      yield '[';
      for await (const page of pages) {
        for (const item of page) {
          const indented = JSON.stringify(item, null, 2).replace(/\n/g, '\n  ');
          yield `${first ? '\n' : ',\n'}  ${indented}`;
          first = false;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      yield first ? ']\n' : '\n]\n';
    })(),
  );
}

/** A CSV file written as its pages come (see jsonArrayStream). */
export function csvStream<K extends string>(
  columns: readonly K[],
  pages: AsyncIterable<Record<K, CsvValue>[]>,
): Readable {
  return Readable.from(
    (async function* () {
      yield csvHeader(columns);
      for await (const page of pages) {
        yield csvRows(columns, page);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })(),
  );
}
